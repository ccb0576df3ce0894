// The wire protocol shared by the server and the extension: frames, limits, parsing and page state.
export * from './limits';
export * from './frames';
export * from './parse';
export * from './page-state';
export * from './retry-after';
export * from './wire';
export * from './mentions';
export * from './team-api';
export * from './health';
