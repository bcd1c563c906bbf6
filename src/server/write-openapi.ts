import { readFileSync, writeFileSync } from 'node:fs';
import { openApiDocument } from './openapi.js';

/**
 * Writes docs/openapi.json from the route table (`npm run docs:openapi`). A unit test compares
 * the file with the generated document, so a stale copy fails CI.
 */
const root = new URL('../../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
const target = new URL('docs/openapi.json', root);
writeFileSync(target, `${JSON.stringify(openApiDocument(version), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
