// Start GOV.UK Frontend's components (menus, error summaries, character counts...).
// Pages work without this file; it only enhances them.
import { initAll } from "./govuk-frontend.min.js";

initAll();

// Components inside a part of the page htmx swaps in are started too.
document.body.addEventListener("htmx:afterSettle", (event) => {
  initAll({ scope: event.target });
});
