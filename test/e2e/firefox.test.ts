// The collaboration loop (scenarios.ts) in Debian's Firefox ESR (puppeteer-core over WebDriver BiDi), the MV2 build
// installed as a temporary add-on.
import { FirefoxUser } from './harness';
import { collaborationScenarios } from './scenarios';

collaborationScenarios('firefox', (dir) => FirefoxUser.launch(dir));
