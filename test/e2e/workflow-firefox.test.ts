// Team workflow (resolve, @mentions, unread across browsers, watching) in Firefox ESR (puppeteer-core, WebDriver BiDi), the Firefox MV2 build.
import { FirefoxUser } from './harness';
import { workflowScenarios } from './workflow-scenarios';

workflowScenarios('firefox', (dir) => FirefoxUser.launch(dir));
