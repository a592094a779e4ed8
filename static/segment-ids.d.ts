// Types of segment-ids.js for TypeScript importers (its tests: the root tsconfig does not read
// static/). Generated from the JSDoc, then trimmed; after changing the module, regenerate with
//   npx tsc --allowJs --declaration --emitDeclarationOnly --strict --target es2022 \
//     --module nodenext --lib es2023,dom --outDir /tmp/ids static/segment-ids.js

export const UINT64_MAX: "18446744073709551615";

export type Token = { text: string; item: number; line: number; start: number; end: number };

export type TokenList = {
  tokens: Token[];
  header: string | null;
  firstColumnOnly: boolean;
  multiLine: boolean;
};

export type TokenError = { token: Token; message: string };

export type SegmentIdList = {
  ids: string[];
  sent: Token[];
  errors: TokenError[];
  duplicates: number;
  header: string | null;
  firstColumnOnly: boolean;
  multiLine: boolean;
};

export function readSegmentTokens(text: string): TokenList;
export function segmentIdProblem(text: string): string | null;
export function nameToken(token: Token, withLine?: boolean): string;
export function parseSegmentIds(text: string): SegmentIdList;
