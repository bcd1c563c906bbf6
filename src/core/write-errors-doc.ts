import { writeFileSync } from 'node:fs';
import { errorsMarkdown } from './errors-doc.js';

/** Writes docs/errors.md from the error catalogue (`npm run docs:errors`). */
const target = new URL('../../docs/errors.md', import.meta.url);
writeFileSync(target, errorsMarkdown());
console.log(`wrote ${target.pathname}`);
