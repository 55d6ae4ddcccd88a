// Runs first in <body>: marks that JavaScript is on, so GOV.UK Frontend's enhanced styles apply.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
