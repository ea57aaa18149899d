// The control for uses.ts: without the scalars map, amounts and days are not strings, and this must not compile.
import type { BoardQuery } from "../generated/unmapped";
import type { Equal, Expect } from "./expect";

type BoardNode = BoardQuery["deals"]["edges"][number]["node"];

export type AmountIsADecimalString = Expect<Equal<BoardNode["amount"], string>>;
export type CloseDateIsADayString = Expect<Equal<BoardNode["closeDate"], string>>;
