// Builds heard's web assets into src/heard_web/static/heard (committed: users never run npm).
import { copyFileSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "heard_web", "static", "heard");
const modules = join(here, "node_modules");
for (const dir of ["css", "js", "images"]) mkdirSync(join(out, dir), { recursive: true });

const css = sass.compile(join(here, "src", "heard.scss"), {
  loadPaths: [modules],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "heard.css"), css.css + "\n");

const govuk = join(modules, "govuk-frontend", "dist", "govuk");
copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk-frontend.min.js"));
copyFileSync(join(modules, "htmx.org", "dist", "htmx.min.js"), join(out, "js", "htmx.min.js"));
copyFileSync(join(here, "src", "heard.js"), join(out, "js", "heard.js"));
copyFileSync(join(here, "src", "init.js"), join(out, "js", "init.js"));
copyFileSync(join(here, "src", "favicon.svg"), join(out, "images", "favicon.svg"));

// axe-core is for the browser tests only: it goes beside them, never into the served assets.
const axeOut = join(here, "..", "tests", "web", "browser", "vendor");
mkdirSync(axeOut, { recursive: true });
copyFileSync(join(modules, "axe-core", "axe.min.js"), join(axeOut, "axe.min.js"));

const versions = Object.fromEntries(
  ["govuk-frontend", "htmx.org", "sass"].map((name) => [
    name,
    JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version,
  ]),
);
writeFileSync(join(out, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`Wrote ${out} (${(css.css.length / 1024).toFixed(0)} KB of CSS)`, versions);
