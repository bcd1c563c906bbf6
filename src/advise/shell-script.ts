/**
 * Writing advice as a reviewable shell script: every action under a comment with its reason and
 * expected effect, arguments quoted so a key with spaces or quotes stays one argument.
 */

/** POSIX single-quoting: 'it'\''s' */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commentLines(text: string, indent = '# '): string[] {
  return text.split('\n').map((line) => `${indent}${line}`.trimEnd());
}
