/**
 * A bench tool's command line: its positional arguments, its `--` flags, and `flag(name, fallback)`
 * for the value of `--name=value`.
 */
export function toolArgs(argv = process.argv.slice(2)) {
  const flags = argv.filter((arg) => arg.startsWith('--'));
  return {
    positional: argv.filter((arg) => !arg.startsWith('--')),
    flags,
    flag: (name, fallback) =>
      flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback,
  };
}
