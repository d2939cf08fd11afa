import { AnyColumn, inArray, SQL, sql } from 'drizzle-orm';
import { Action, AppAbility, SubjectName } from './ability.factory';

/**
 * The WHERE clause that makes a list query return only rows the ability allows for `action`, for
 * subjects whose only condition is ownership (`{ createdBy: userId }`, see AbilityFactory):
 * - undefined: an unconditional rule allows every row (no restriction);
 * - `owner_column IN (…)`: only rows created by those users;
 * - `false`: no rule allows the action at all.
 * Conditions it cannot translate throw, so a new kind of rule cannot silently widen a query.
 */
export function ownershipFilter(
  ability: AppAbility,
  action: Action,
  subject: Exclude<SubjectName, 'all'>,
  ownerColumn: AnyColumn,
): SQL | undefined {
  const owners: string[] = [];
  for (const rule of ability.rulesFor(action, subject)) {
    if (rule.inverted)
      throw new Error(`ownershipFilter cannot translate a "cannot" rule on ${subject}`);
    if (!rule.conditions) return undefined;
    const conditions = rule.conditions as Record<string, unknown>;
    const keys = Object.keys(conditions);
    if (keys.length !== 1 || keys[0] !== 'createdBy' || typeof conditions.createdBy !== 'string') {
      throw new Error(
        `ownershipFilter cannot translate the condition ${JSON.stringify(conditions)} on ${subject}`,
      );
    }
    owners.push(conditions.createdBy);
  }
  return owners.length === 0 ? sql`false` : inArray(ownerColumn, owners);
}
