// The hostile-page suite in Debian's Firefox ESR (puppeteer-core over WebDriver BiDi), the MV2 build.
import { FirefoxUser } from './harness';
import { hostilePageScenarios } from './hostile-scenarios';

hostilePageScenarios('firefox', (dir) => FirefoxUser.launch(dir));
