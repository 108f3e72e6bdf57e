// Loads agent and skill files with Copilot CLI's native runtime (internal entry points).
//   node copilot.mjs PKG_DIR PROJECT
// PKG_DIR is the folder the CLI unpacks itself into on first run; its
// prebuilds/<platform>-<arch>/runtime.node is the addon the CLI's own JavaScript
// calls: customAgentsDiscoverJson (agents) and skillsLoad (skills), with the
// arguments cli-main.js passes to them.
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const [pkgDir, project] = process.argv.slice(2);
const addon = path.join(pkgDir, "prebuilds", `${process.platform}-${process.arch}`, "runtime.node");
const S = require(addon);
for (const fn of ["customAgentsDiscoverJson", "skillsLoad", "resolveCopilotHome", "skillsResolveBuiltinDir"]) {
  if (typeof S[fn] !== "function") throw new Error(`${addon} has no function ${fn}`);
}
const integrationId = typeof S.sessionConstantsIntegrationId === "function" ? S.sessionConstantsIntegrationId() : "copilot-developer-cli";
const configDir = S.resolveCopilotHome(null, process.env.COPILOT_HOME, os.homedir());

const agents = JSON.parse(await S.customAgentsDiscoverJson(JSON.stringify({
  integrationId, authInfo: null, configDir, projectPaths: [project],
  excludeHostAgents: false, additionalPlugins: [], hasResolvedPlugins: false,
})));
// skillsLoad(projectRoot, customDirs, ignoredLocations, configDir, home, envSkillDirs,
//            additionalSources, cwd, additionalCommandSources, enableConfigDiscovery,
//            builtinDir, displayCwd, includePersonalAgents, useCache, blockUserAndWorkspace)
const skills = await S.skillsLoad(project, [], [], configDir, os.homedir(), undefined, [], project, [], true,
  S.skillsResolveBuiltinDir(pkgDir, true), S.skillsResolveDisplayCwd(project), true, false, false);

process.stdout.write(JSON.stringify({
  agents: agents.agents.map((a) => ({ name: a.name, source: a.source, path: a.path })),
  agentWarnings: agents.warnings ?? [], agentErrors: agents.errors ?? [],
  skills: skills.skills.map((s) => ({ name: s.name, source: s.source, filePath: s.filePath })),
  skillWarnings: skills.warnings ?? [], skillErrors: skills.errors ?? [],
}) + "\n");
process.exit(0);
