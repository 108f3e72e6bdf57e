// Loads agent and skill files with Gemini CLI's own loaders (internal entry points).
//   node gemini.mjs BUNDLE_DIR JOB_JSON
// JOB_JSON: {"agentDirs": [...], "skillFiles": [...]}
// Prints {"chunk", "agents": [{name, filePath}], "errors": [{filePath, message}],
//         "skills": [{file, name|null}]}.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { findChunk } from "./findchunk.mjs";

const [bundleDir, jobText] = process.argv.slice(2);
const job = JSON.parse(jobText);
const chunk = findChunk(path.join(bundleDir, "gemini.js"), ["loadAgentsFromDirectory", "loadSkillFromFile"]);
const mod = await import(pathToFileURL(chunk).href);

const out = { chunk: path.basename(chunk), agents: [], errors: [], skills: [] };
for (const dir of job.agentDirs) {
  const r = await mod.loadAgentsFromDirectory(dir);
  for (const a of r.agents) out.agents.push({ name: a.name, filePath: a.metadata?.filePath ?? null });
  for (const e of r.errors) out.errors.push({ filePath: e.filePath ?? dir, message: e.message });
}
for (const file of job.skillFiles) {
  const s = await mod.loadSkillFromFile(file);
  out.skills.push({ file, name: s ? s.name : null, description: s ? s.description : null });
}
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
