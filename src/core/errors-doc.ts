import { ERROR_CATALOGUE } from './errors.js';

/**
 * docs/errors.md, generated from the catalogue (`npm run docs:errors`); a unit test compares the
 * committed file with a fresh generation, so the page cannot drift from the code.
 */

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function errorsMarkdown(): string {
  const rows = ERROR_CATALOGUE.map((e) =>
    [
      `\`${e.code}\``,
      cell(e.meaning),
      e.http === undefined ? '' : String(e.http),
      e.exit === undefined ? '' : String(e.exit),
      cell(e.message),
    ].join(' | '),
  );
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/core/errors.ts by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every error vigil reports carries one of these stable codes. Scripts match on the code, never on',
    'the message text; a code is never renamed once shipped. Where they appear:',
    '',
    '- **HTTP API**: the body is `{ "error": <reason phrase>, "code": <code>, "message": <text> }` with',
    '  the status below ([api.md](api.md#errors)); a refused reload adds `issues`, each with its own code.',
    '- **CLI**: `vigil: <code>: <message>` or one `file:line:column path: message` line per config issue',
    '  (`vigil validate --json` gives the codes). The exit column is what `validate`, `generate` and',
    '  `convert` exit with: 1 the input is invalid, 2 the command could not run. `check`, `baseline`,',
    '  `run` and `loadtest` keep 1 for their verdict (a breach, a failed load test), so any error that',
    '  stops them exits 2.',
    "- **Sources, alerting, the store file**: `sources[].last_error` and objectives' `error` in the API,",
    '  `vigil_source_up`, and the log. These never end a command (no exit code).',
    '',
    'In a message, `{name}` stands for the detail filled in when the error is raised.',
    '',
    '| code | meaning | HTTP | exit | message |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
}
