CREATE TABLE mixtures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  description text,
  carrier text,
  aqueous boolean NOT NULL DEFAULT true,
  solution_density_g_per_ml double precision,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT mixtures_solution_density_check CHECK (solution_density_g_per_ml IS NULL OR solution_density_g_per_ml > 0)
);
CREATE INDEX mixtures_name_lower_idx ON mixtures (lower(name));
CREATE INDEX mixtures_created_at_idx ON mixtures (created_at, id);
CREATE INDEX mixtures_created_by_idx ON mixtures (created_by);

CREATE TABLE mixture_components (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mixture_id uuid NOT NULL REFERENCES mixtures (id) ON DELETE CASCADE,
  molecule_id uuid NOT NULL REFERENCES molecules (id) ON DELETE RESTRICT,
  position integer NOT NULL,
  value double precision NOT NULL,
  unit text NOT NULL,
  role text,
  CONSTRAINT mixture_components_value_check CHECK (value >= 0),
  CONSTRAINT mixture_components_unit_check CHECK (unit in ('M', 'mM', 'mol/kg', '% w/v', '% v/v', '% w/w', 'mg/mL'))
);
CREATE UNIQUE INDEX mixture_components_mixture_molecule_key ON mixture_components (mixture_id, molecule_id);
CREATE INDEX mixture_components_molecule_idx ON mixture_components (molecule_id);

CREATE TABLE property_types (
  key text PRIMARY KEY,
  name text NOT NULL,
  canonical_unit text NOT NULL,
  allowed_units text[] NOT NULL,
  min_value double precision,
  max_value double precision,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT property_types_key_check CHECK (key ~ '^[a-z][a-z0-9_]{1,62}$'),
  CONSTRAINT property_types_range_check CHECK (min_value IS NULL OR max_value IS NULL OR min_value <= max_value)
);
INSERT INTO property_types (key, name, canonical_unit, allowed_units, min_value, max_value) VALUES
  ('post_thaw_viability', 'Post-thaw viability', '%', ARRAY['%', 'fraction'], 0, 100),
  ('recovery', 'Recovery', '%', ARRAY['%', 'fraction'], 0, NULL),
  ('measured_tg', 'Measured glass transition temperature', '°C', ARRAY['°C', 'K'], -273.15, NULL),
  ('melting_point', 'Melting point', '°C', ARRAY['°C', 'K'], -273.15, NULL),
  ('osmolality', 'Osmolality', 'mOsm/kg', ARRAY['mOsm/kg', 'Osm/kg'], 0, NULL),
  ('toxicity_ic50', 'Toxicity IC50', 'mM', ARRAY['mM', 'M', 'µM'], 0, NULL),
  ('cryoprotection_score', 'Cryoprotection score (heuristic)', 'score', ARRAY['score'], 0, 100);

CREATE TABLE experiments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mixture_id uuid NOT NULL REFERENCES mixtures (id) ON DELETE RESTRICT,
  title text NOT NULL,
  sample_type text NOT NULL,
  cooling_rate_c_per_min double precision,
  warming_rate_c_per_min double precision,
  storage_temperature_c double precision,
  loading_steps jsonb NOT NULL DEFAULT '[]'::jsonb,
  performed_at timestamp with time zone NOT NULL,
  notes text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT experiments_sample_type_check CHECK (sample_type in ('cell_line', 'primary_cells', 'tissue', 'organoid', 'embryo', 'other')),
  CONSTRAINT experiments_storage_temperature_check CHECK (storage_temperature_c IS NULL OR storage_temperature_c >= -273.15)
);
CREATE INDEX experiments_mixture_idx ON experiments (mixture_id);
CREATE INDEX experiments_performed_at_idx ON experiments (performed_at, id);
CREATE INDEX experiments_sample_type_idx ON experiments (sample_type);

CREATE TABLE experiment_results (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  experiment_id uuid NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  property_key text NOT NULL REFERENCES property_types (key) ON DELETE RESTRICT,
  value double precision NOT NULL,
  unit text NOT NULL,
  canonical_value double precision NOT NULL,
  uncertainty double precision,
  n integer,
  CONSTRAINT experiment_results_uncertainty_check CHECK (uncertainty IS NULL OR uncertainty >= 0),
  CONSTRAINT experiment_results_n_check CHECK (n IS NULL OR n >= 1)
);
CREATE INDEX experiment_results_experiment_property_idx ON experiment_results (experiment_id, property_key);
CREATE INDEX experiment_results_property_idx ON experiment_results (property_key);

CREATE TABLE predictions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mixture_id uuid REFERENCES mixtures (id) ON DELETE CASCADE,
  molecule_id uuid REFERENCES molecules (id) ON DELETE CASCADE,
  property_key text NOT NULL REFERENCES property_types (key) ON DELETE RESTRICT,
  value double precision NOT NULL,
  unit text NOT NULL,
  canonical_value double precision NOT NULL,
  method_name text NOT NULL,
  method_version text NOT NULL,
  confidence double precision,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT predictions_target_check CHECK ((mixture_id IS NULL) <> (molecule_id IS NULL)),
  CONSTRAINT predictions_confidence_check CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1))
);
CREATE INDEX predictions_mixture_property_idx ON predictions (mixture_id, property_key);
CREATE INDEX predictions_molecule_property_idx ON predictions (molecule_id, property_key);
CREATE INDEX predictions_method_idx ON predictions (method_name, method_version, property_key);
CREATE INDEX predictions_created_at_idx ON predictions (created_at, id);
