import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Database, Db } from '../database/database';
import { CreatePropertyTypeInput, PropertyTypeView } from './property-type.dto';
import { MixtureErrors } from './mixture.errors';
import { PropertyTypeRepository, PropertyTypeRow } from './property-type.repository';
import {
  convertPropertyValue,
  isPropertyUnit,
  propertyUnitNames,
  sameDimension,
} from './units/property-units';

/** A value given for a property, checked and converted to the property's canonical unit. */
export interface PropertyValueInput {
  property: string;
  value: number;
  unit: string;
  /** Field path prefix for errors, e.g. `results.2`; empty for top-level fields. */
  field: string;
}

/** The registry of measurable properties and the one place values are checked against it. */
@Injectable()
export class PropertyTypeService {
  constructor(
    private readonly propertyTypes: PropertyTypeRepository,
    private readonly database: Database,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<PropertyTypeView[]> {
    return (await this.propertyTypes.findAll()).map(toPropertyTypeView);
  }

  async get(key: string, field = 'query.property'): Promise<PropertyTypeRow> {
    const row = await this.propertyTypes.findByKey(key);
    if (!row) throw MixtureErrors.unknownProperty(field, key);
    return row;
  }

  async create(input: CreatePropertyTypeInput, user: AuthUser): Promise<PropertyTypeView> {
    const canonical = input.canonicalUnit;
    if (!isPropertyUnit(canonical)) {
      throw MixtureErrors.propertyTypeUnits(
        'canonicalUnit',
        `unknown unit ${canonical}; known: ${propertyUnitNames.join(', ')}`,
      );
    }
    (input.allowedUnits ?? []).forEach((unit, index) => {
      if (!isPropertyUnit(unit) || !sameDimension(unit, canonical)) {
        throw MixtureErrors.propertyTypeUnits(
          `allowedUnits.${index}`,
          `${unit} is not a unit of the same dimension as ${canonical}`,
        );
      }
    });
    const allowed = [...new Set([canonical, ...(input.allowedUnits ?? [])])];
    return this.database.transaction(async (tx) => {
      const row = await this.propertyTypes.insertNew(
        {
          key: input.key,
          name: input.name,
          canonicalUnit: canonical,
          allowedUnits: allowed,
          minValue: input.minValue ?? null,
          maxValue: input.maxValue ?? null,
          createdBy: user.id,
        },
        tx,
      );
      if (!row) throw MixtureErrors.propertyTypeExists(input.key);
      const view = toPropertyTypeView(row);
      await this.audit.record(
        {
          action: 'property_type.create',
          entityType: 'PropertyType',
          entityId: row.key,
          after: view,
        },
        tx,
      );
      return view;
    });
  }

  /**
   * Checks each value's property, unit and range; returns its value in the canonical unit.
   * One query for all the properties named.
   */
  async toCanonical(values: PropertyValueInput[], tx?: Db): Promise<number[]> {
    const types = new Map(
      (await this.propertyTypes.findByKeys([...new Set(values.map((v) => v.property))], tx)).map(
        (row) => [row.key, row],
      ),
    );
    return values.map(({ property, value, unit, field }) => {
      const at = (name: string) => (field ? `${field}.${name}` : name);
      const type = types.get(property);
      if (!type) throw MixtureErrors.unknownProperty(at('property'), property);
      const canonical = type.canonicalUnit;
      if (
        !type.allowedUnits.includes(unit) ||
        !isPropertyUnit(unit) ||
        !isPropertyUnit(canonical)
      ) {
        throw MixtureErrors.unitMismatch(at('unit'), unit, property, type.allowedUnits);
      }
      const converted = convertPropertyValue(value, unit, canonical);
      if (
        (type.minValue !== null && converted < type.minValue) ||
        (type.maxValue !== null && converted > type.maxValue)
      ) {
        throw MixtureErrors.outOfRange(at('value'), property, type.minValue, type.maxValue);
      }
      return converted;
    });
  }
}

export function toPropertyTypeView(row: PropertyTypeRow): PropertyTypeView {
  return {
    key: row.key,
    name: row.name,
    canonicalUnit: row.canonicalUnit,
    allowedUnits: row.allowedUnits,
    minValue: row.minValue,
    maxValue: row.maxValue,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}
