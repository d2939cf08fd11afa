import { hash, type Options, verify } from '@node-rs/argon2';
import { Injectable } from '@nestjs/common';

// argon2id with the OWASP-recommended minimum: 19 MiB memory, 2 iterations, 1 lane.
const options: Options = {
  algorithm: 2 as Options['algorithm'], // Algorithm.Argon2id (a const enum, so written as its value)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password, options);
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** A hash of nothing, verified against when the account is unknown so both paths cost the same. */
  readonly decoy = hash('decoy password that matches nothing', options);
}
