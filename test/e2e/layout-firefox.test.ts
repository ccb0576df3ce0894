// Where the overlay sits (sticky headers, beside a passage, long threads, the prompt, docking) in Firefox ESR (puppeteer-core over WebDriver BiDi), the MV2 build.
import { FirefoxUser } from './harness';
import { layoutScenarios } from './layout-scenarios';

layoutScenarios('firefox', (dir) => FirefoxUser.launch(dir));
