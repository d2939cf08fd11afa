CREATE TABLE molecules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  synonyms text[] NOT NULL DEFAULT '{}'::text[],
  cas_number text,
  pubchem_cid integer,
  input_structure text NOT NULL,
  canonical_smiles text NOT NULL,
  inchi text NOT NULL,
  inchikey text NOT NULL,
  formula text NOT NULL,
  molecular_weight double precision NOT NULL,
  exact_mass double precision NOT NULL,
  logp double precision NOT NULL,
  tpsa double precision NOT NULL,
  hbd integer NOT NULL,
  hba integer NOT NULL,
  descriptors jsonb NOT NULL,
  score double precision NOT NULL,
  scores jsonb NOT NULL,
  score_model_version text NOT NULL,
  fingerprint bytea NOT NULL,
  density_g_per_ml double precision,
  tg_celsius double precision,
  tg_source text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT molecules_density_check CHECK (density_g_per_ml IS NULL OR density_g_per_ml > 0)
);
CREATE UNIQUE INDEX molecules_inchikey_key ON molecules (inchikey);
CREATE INDEX molecules_name_lower_idx ON molecules (lower(name));
CREATE INDEX molecules_molecular_weight_idx ON molecules (molecular_weight);
CREATE INDEX molecules_score_idx ON molecules (score);
CREATE INDEX molecules_created_at_idx ON molecules (created_at, id);
