// Browser automation for the e2e tests (drives a Chromium installed from Debian packages).
export { chromium } from "playwright-core";
