// Finds the bundle chunk of a client that defines and exports some functions.
//
// Bundled clients (Gemini CLI, Qwen Code) split their code into hashed chunks whose
// names change with every release, so the chunk is found by what it holds, not by
// its name: starting at the entry file, follow the static `import ... from "./x.js"`
// (and dynamic `import("./x.js")`) edges breadth first, and take the first chunk whose text defines every wanted
// function and names it in its `export { ... }` block. When the entry's import graph
// does not reach one, every .js file of the bundle folder is tried, largest first.
import fs from "node:fs";
import path from "node:path";

const IMPORT_RE = /(?:^|[\s;}(,=])(?:import|export)\s*(?:\(\s*|[^"';]*?\sfrom\s*)?["'](\.\.?\/[^"']+\.js)["']/g;

function exportsAll(text, names) {
  const at = text.lastIndexOf("export {");
  if (at < 0) return false;
  const block = text.slice(at, text.indexOf("}", at) + 1);
  return names.every((n) => new RegExp(`(?:[{,]\\s*|\\bas\\s+)${n}\\s*(?:[,}]|$)`, "m").test(block));
}

function definesAll(text, names) {
  // a function declaration, or a class (`class X` or `var X = class`)
  return names.every((n) => new RegExp(`(?:function\\s*\\*?\\s*${n}\\s*\\(|\\bclass\\s+${n}\\b|\\b${n}\\s*=\\s*class\\b)`).test(text));
}

export function findChunk(entry, names, { mustDefine = names } = {}) {
  const seen = new Set();
  const queue = [path.resolve(entry)];
  const tried = [];
  const matches = (file) => {
    const text = fs.readFileSync(file, "utf8");
    return [text, exportsAll(text, names) && definesAll(text, mustDefine)];
  };
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file) || !fs.existsSync(file)) continue;
    seen.add(file);
    const [text, ok] = matches(file);
    tried.push(path.basename(file));
    if (ok) return file;
    for (const m of text.matchAll(IMPORT_RE)) queue.push(path.resolve(path.dirname(file), m[1]));
  }
  const dir = path.dirname(path.resolve(entry));
  const rest = fs.readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => path.join(dir, f))
    .filter((f) => !seen.has(f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  for (const file of rest) {
    if (matches(file)[1]) return file;
  }
  throw new Error(`no chunk under ${dir} defines and exports ${names.join(", ")} ` +
    `(followed the imports of ${path.basename(entry)} through ${tried.length} files, then tried ${rest.length} more)`);
}
