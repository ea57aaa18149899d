"""The domain: rules as plain functions and whole use cases, one package per domain. No GraphQL or HTTP.

* `accounts`: who is asking (`viewer`), their tokens, and the people directory.
* `deals`: the rules of a deal's progress (`gates`, `state`, `progress`), reading deals (`queries`), the
  use cases that change them (`editing`, `working`), the one module that writes (`recording`), and the
  expected failures the use cases return (`failures`).
* `history`: what recorded history says: plain records, learned durations and win rates, insights; one
  cache (`cache`) and one vocabulary of measures (`sql`, `insights`).
* `forecast`: estimates, ranking, quota plan and pipeline for period end (`service` holds the use cases).
* `publishing`: which process definitions a server serves.
"""
