// Keyboard, focus and axe-core checks in Debian's Firefox ESR (puppeteer-core over WebDriver BiDi).
import { FirefoxUser } from './harness';
import { keyboardScenarios } from './keyboard-scenarios';

keyboardScenarios('firefox', (dir) => FirefoxUser.launch(dir, { caretBrowsing: true }));
