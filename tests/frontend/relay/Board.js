// The board as a Relay app writes it: deals a page at a time, forward and backward, each with its stage card.
// For paging both ways, Relay's docs give the fragment's counts no default and pass the first page's size with
// @arguments: loadPrevious then sends first: null (a default would be sent instead, beside last).
import { graphql } from "relay-runtime";

export const BoardQuery = graphql`
  query BoardQuery {
    ...BoardDeals_query @arguments(first: 3)
  }
`;

export const BoardDeals = graphql`
  fragment BoardDeals_query on Query
  @refetchable(queryName: "BoardDealsPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  ) {
    deals(first: $first, after: $after, last: $last, before: $before) @connection(key: "BoardDeals_deals") {
      edges {
        node {
          id
          name
          amount
          closeDate
          stage {
            ...StageCard_stage
          }
        }
      }
    }
  }
`;

export const StageCard = graphql`
  fragment StageCard_stage on Stage @refetchable(queryName: "StageCardRefetchQuery") {
    id
    key
    name
    objective
    position
    process {
      id
      key
    }
  }
`;
