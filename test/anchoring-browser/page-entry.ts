// The script the real-browser test and benchmark load into their page: the library, the corpus,
// and the test's page-side steps, under `window.CollabAnchoring`.
import * as anchoring from '../../lib/anchoring';
import { CORPUS, filler, parseMarked } from '../fixtures/anchoring/corpus';
import * as scenarios from './scenarios';

const api = { ...anchoring, corpus: { CORPUS, filler, parseMarked }, scenarios };
export type PageApi = typeof api;
(window as unknown as { CollabAnchoring: PageApi }).CollabAnchoring = api;
