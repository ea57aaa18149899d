// The generated types used as an app uses them, under `tsc --strict`: the board's amounts and days are the
// strings the scalars say, and the mutations' unions narrow by __typename.
import type {
  BoardQuery,
  CreateDealMutationVariables,
  DealPageFragment,
  MoveDealMutation,
} from "../generated/graphql";
import type { Equal, Expect } from "./expect";

type BoardNode = BoardQuery["deals"]["edges"][number]["node"];

export type AmountIsADecimalString = Expect<Equal<BoardNode["amount"], string>>;
export type CloseDateIsADayString = Expect<Equal<BoardNode["closeDate"], string>>;
type Checklist = DealPageFragment["milestones"][number];
export type CompletedAtIsAMomentString = Expect<Equal<Checklist["completedAt"], string | null | undefined>>;
export type AmountInIsADecimalString = Expect<Equal<CreateDealMutationVariables["input"]["amount"], string>>;

export function cardTitle(node: BoardNode): string {
  return `${node.name}: ${node.amount} ${node.currency}, closing ${node.closeDate}, next: ${node.nextSteps[0]?.title ?? "none"}`;
}

export function refusal(result: MoveDealMutation): string | null {
  const moved = result.moveDeal;
  switch (moved.__typename) {
    case "MoveDealSuccess":
      return null;
    case "StageGateBlocked":
      return `${moved.message} (${moved.missingMilestones.map((m) => m.title).join(", ")})`;
    default:
      return moved.message;
  }
}

export const newDeal: CreateDealMutationVariables = {
  input: {
    name: "Northwind rollout",
    accountName: "Northwind",
    processKey: "new-business",
    amount: "12500.00",
    currency: "EUR",
    closeDate: "2026-12-31",
  },
};
