import { Option } from 'commander';

/**
 * `--slo <path>`, repeatable (`--slo a.yaml --slo dir/`) or comma-separated (`--slo a.yaml,dir/`).
 * Not variadic: a variadic option swallows every word after it, so `baseline --slo dir ml-services`
 * read the service name as one more SLO path. With one value per flag, positional arguments work
 * before or after it.
 */
export function sloOption(): Option {
  return new Option(
    '--slo <path>',
    "SLO file or folder, replacing the config's `slo` list (repeat the flag, or separate with commas, for several)",
  ).argParser((value: string, previous: string[] | undefined) => [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  ]);
}
