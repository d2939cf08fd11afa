import { Command, Option } from 'commander';
import { z } from 'zod';
import { emailSchema, passwordSchema } from '../auth/auth.dto';
import { UserService } from '../auth/user.service';
import { userRoles } from '../database/schema/users';
import { CliError, CliOptions, output, withAppContext } from './cli-context';

interface CreateOptions extends CliOptions {
  email: string;
  role: (typeof userRoles)[number];
  name?: string;
  passwordStdin?: boolean;
}

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('manage user accounts');

  users
    .command('create')
    .description(
      'create a user; the password comes from --password-stdin or a prompt (never an argument)',
    )
    .requiredOption('--email <email>', 'sign-in email')
    .addOption(new Option('--role <role>', 'role').choices([...userRoles]).makeOptionMandatory())
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from standard input (first line)')
    .option('--json', 'print the result as JSON')
    .action(async (options: CreateOptions) => {
      const email = parseOption(emailSchema, options.email, '--email');
      const password = parseOption(
        passwordSchema,
        options.passwordStdin
          ? await readFirstLine(process.stdin)
          : await promptHidden('Password: '),
        'password',
      );
      const user = await withAppContext((app) =>
        app
          .get(UserService)
          .createUser({ email, password, role: options.role, displayName: options.name }),
      );
      output(options, user, () => `created ${user.role} ${user.email} (${user.id})`);
    });

  users
    .command('list')
    .description('list every user')
    .option('--json', 'print the result as JSON')
    .action(async (options: CliOptions) => {
      const list = await withAppContext((app) => app.get(UserService).listUsers());
      output(options, list, () =>
        list.length === 0
          ? 'no users'
          : list
              .map(
                (user) =>
                  `${user.email.padEnd(40)} ${user.role.padEnd(10)} ${user.status.padEnd(8)} ${user.id}`,
              )
              .join('\n'),
      );
    });
}

function parseOption<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new CliError(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}`, 2);
}

async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    return Promise.reject(
      new CliError('no terminal to prompt for the password: use --password-stdin', 2),
    );
  }
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new CliError('cancelled', 130));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.on('data', onData);
  });
}
