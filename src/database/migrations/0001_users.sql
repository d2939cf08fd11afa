CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL,
  status text NOT NULL DEFAULT 'active',
  password_hash text,
  external_subject text,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT users_role_check CHECK (role IN ('viewer', 'researcher', 'curator', 'admin')),
  CONSTRAINT users_status_check CHECK (status IN ('active', 'disabled'))
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE UNIQUE INDEX users_external_subject_key ON users (external_subject);
