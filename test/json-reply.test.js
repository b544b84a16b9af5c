'use strict';
// The reply depth guard (src/core/json-reply.ts): exactly MAX_REPLY_DEPTH levels
// pass, one more is refused, whether or not the reply has few brackets (the
// quick count) or many (the full scan), and brackets inside strings don't count.
const assert = require('assert');
const { parseReplyObject, parseJson, MAX_REPLY_DEPTH } = require('../nodes/core/json-reply');

const nested = (levels) => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
/** `levels` deep, plus `extra` shallow sibling objects so the bracket count exceeds the limit. */
const nestedWithSiblings = (levels, extra) => `{"list":[${Array(extra).fill('{"x":1}').join(',')}],"deep":${nested(levels - 1)}}`;

describe('json-reply depth guard', () => {
  it('accepts exactly MAX_REPLY_DEPTH levels and refuses one more', () => {
    assert.strictEqual(MAX_REPLY_DEPTH, 64);
    assert.ok(parseReplyObject(nested(64), 'dev'));
    assert.throws(() => parseReplyObject(nested(65), 'dev'), (e) => /^reply from dev is nested more than 64 levels deep; refused$/.test(e.message));
  });

  it('with more than MAX_REPLY_DEPTH brackets in all, still decides by depth', () => {
    assert.ok(parseReplyObject(nestedWithSiblings(64, 200), 'dev'));
    assert.throws(() => parseReplyObject(nestedWithSiblings(65, 200), 'dev'), /nested more than 64 levels deep/);
  });

  it('brackets inside strings are not nesting', () => {
    const text = JSON.stringify({ s: '{['.repeat(500), t: '\\"{{{' });
    assert.deepStrictEqual(parseReplyObject(text, 'dev'), JSON.parse(text));
  });

  it('arrays count like objects', () => {
    const deepArrays = '['.repeat(65) + ']'.repeat(65);
    assert.throws(() => parseJson(deepArrays, 'dev'), /nested more than 64 levels deep/);
    assert.deepStrictEqual(parseJson('['.repeat(64) + ']'.repeat(64), 'dev').length, 1);
  });
});
