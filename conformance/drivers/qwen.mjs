// Loads agent and skill files with Qwen Code's own parsers (internal entry points).
//   node qwen.mjs PKG_DIR JOB_JSON
// JOB_JSON: {"projectRoot": DIR, "agentFiles": [...], "skillFiles": [...]}
// SubagentManager.parseSubagentFile(file, "project") and
// SkillManager.parseSkillFile(file, "project"), from the bundle chunk that exports
// both classes, with a config stub holding only what those two calls read; the
// discovery listing (SubagentManager.listSubagentsAtLevel("project")) is run too.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { findChunk } from "./findchunk.mjs";

const [pkgDir, jobText] = process.argv.slice(2);
const job = JSON.parse(jobText);
const chunk = findChunk(path.join(pkgDir, "cli.js"), ["SubagentManager", "SkillManager"]);
const mod = await import(pathToFileURL(chunk).href);

const none = () => undefined;
const config = new Proxy({
  getProjectRoot: () => job.projectRoot,
  getTargetDir: () => job.projectRoot,
  getWorkingDir: () => job.projectRoot,
  getAgentsSettings: () => ({}),
  getActiveExtensions: () => [],
  getCustomSkillDirs: () => [],
  isTrustedFolder: () => true,
  getFolderTrust: () => false,
  getDebugMode: () => false,
}, { get: (t, k) => (k in t ? t[k] : typeof k === "string" && k.startsWith("get") ? none : undefined) });

const agents = new mod.SubagentManager(config);
const skills = new mod.SkillManager(config);
const out = { chunk: path.basename(chunk), agents: [], skills: [], listed: null };
for (const file of job.agentFiles) {
  try {
    const c = await agents.parseSubagentFile(file, "project");
    out.agents.push({ file, name: c.name, error: null });
  } catch (e) {
    out.agents.push({ file, name: null, error: e?.message ?? String(e) });
  }
}
for (const file of job.skillFiles) {
  try {
    const c = await skills.parseSkillFile(file, "project");
    out.skills.push({ file, name: c.name, error: null });
  } catch (e) {
    out.skills.push({ file, name: null, error: e?.message ?? String(e) });
  }
}
try {
  out.listed = (await agents.listSubagentsAtLevel("project")).map((c) => c.name);
} catch (e) {
  out.listedError = e?.message ?? String(e);
}
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
