/** The limits a read works within: each says what it bounds. */

/** Parts read again after the group moved, at most, before the read fails saying it moved. */
export const MAX_REREADS = 10;

/** Rows each page repeats from the one before it. */
export const OVERLAP_ROWS = 2;

/** Answers to one window, at most, before the end is taken without two of them agreeing. */
export const MAX_ASKS = 4;

/** Empty positions, at the least, past the last member and `total` that show the group ends. */
export const MIN_EMPTY_STRETCH = 10;

/** Empty pages walked past, at the least, while no row has come at all, before the read says it saw none. */
export const BLIND_PAGES = 12;

/** Empty pages walked past, at the most, while no row has come at all (pages of one row, as Limit 1 asks, would otherwise walk the whole of `total`, two requests a page). */
export const MAX_BLIND_PAGES = 250;

/** A `total` missing from an answer: every change is possible, so every place fits. */
export const UNKNOWN_CHANGES = 1e9;
