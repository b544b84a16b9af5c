// Copying device answers into new output objects without prototype tricks.

import { Json, JsonObject } from './command';

/**
 * A new object with the own enumerable properties of `src`. "__proto__" is skipped: assigning
 * it would change the copy's prototype instead of adding a field.
 */
export function copyOwn(src: object): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(src)) {
    if (key === '__proto__') continue;
    out[key] = (src as Record<string, Json>)[key];
  }
  return out;
}
