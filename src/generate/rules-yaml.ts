import { stringify } from 'yaml';
import { sortKeys } from './generate-context.js';
import { isAlertingRule, type RuleFile } from './rule-model.js';

/**
 * The rule file as YAML, byte-stable: keys in Prometheus' documented order (record/alert, expr,
 * for, labels, annotations), maps sorted, no timestamps, no line folding.
 */
export function ruleFileYaml(file: RuleFile, header: string): string {
  const plain = {
    groups: file.groups.map((g) => ({
      name: g.name,
      rules: g.rules.map((r) =>
        isAlertingRule(r)
          ? {
              alert: r.alert,
              expr: r.expr,
              ...(r.for !== undefined ? { for: r.for } : {}),
              labels: sortKeys(r.labels),
              annotations: sortKeys(r.annotations),
            }
          : { record: r.record, expr: r.expr, labels: sortKeys(r.labels) },
      ),
    })),
  };
  const body = stringify(plain, {
    lineWidth: 0,
    indent: 2,
    blockQuote: 'literal',
    defaultStringType: 'PLAIN',
    aliasDuplicateObjects: false,
  });
  return `${header
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n')}\n${body}`;
}
