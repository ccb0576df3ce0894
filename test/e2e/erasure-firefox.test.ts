// Erasing a member from the dashboard, and a member's own data and erasure request from the team page, in Firefox ESR (puppeteer-core, WebDriver BiDi), the Firefox MV2 build.
import { FirefoxUser } from './harness';
import { erasureScenarios } from './erasure-scenarios';

erasureScenarios('firefox', (dir) => FirefoxUser.launch(dir));
