// The one error type of lib/anchoring, with a code the UI can branch on and a message it can show.

export type AnchoringErrorCode = 'empty-selection' | 'quote-too-long' | 'outside-root';

export class AnchoringError extends Error {
  readonly code: AnchoringErrorCode;
  constructor(code: AnchoringErrorCode, message: string) {
    super(message);
    this.name = 'AnchoringError';
    this.code = code;
  }
}
