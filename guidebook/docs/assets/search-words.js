/* Search as reps type it. Material's search adds a wildcard to every word, so a short word such as "in"
   also finds "integration" and "invoice", and a whole word such as "spreadsheets" misses the stemmed
   "spreadsheet" in the index. Before a query reaches the search worker, this drops common words ("we",
   "in", "the"), looks up each whole word as a word (stemmed), and the word still being typed also by its
   beginning. Queries written in Lunr's own syntax (+, -, *, ~, ^, :, quotes) are left alone. */
(function () {
  "use strict";

  var QUERY = 2; /* Material's message type for a search query */
  var COMMON = new Set(
    (
      "a able about across after all almost also am among an and any are as at be because been but by can " +
      "cannot could dear did do does either else ever every for from get got had has have he her hers him his " +
      "how however i if in into is it its just least let like likely may me might most must my neither no nor " +
      "not of off often on only or other our own rather said say says she should since so some than that the " +
      "their them then there these they this tis to too twas us wants was we were what when where which while " +
      "who whom why will with would yet you your we're we've we'll i'm it's isn't don't can't won't they're " +
      "that's there's doesn't didn't aren't"
    ).split(" ")
  );
  var SEPARATOR = /[\s\-,:;!?=\[\]()"\/.…“”]+/;

  function words(query) {
    return query
      .toLowerCase()
      .replace(/[‘’]/g, "'")
      .split(SEPARATOR)
      .map(function (word) {
        return word.replace(/^'+|'+$/g, "");
      })
      .filter(function (word) {
        return word.length > 1 && !COMMON.has(word);
      });
  }

  function rephrase(query) {
    if (/[+~^*:"]|(^|\s)-/.test(query)) return query;
    var found = words(query);
    if (!found.length) return query;
    var typing = !/\s$/.test(query);
    return found
      .map(function (word, index) {
        /* `word^1` is looked up as a whole, stemmed word; a bare word gets Material's wildcard. */
        var whole = word + "^1";
        return typing && index === found.length - 1 ? whole + " " + word : whole;
      })
      .join(" ");
  }

  var send = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message) {
    if (message && message.type === QUERY && typeof message.data === "string") {
      arguments[0] = { type: QUERY, data: rephrase(message.data) };
    }
    return send.apply(this, arguments);
  };
  window.waymarkSearchQuery = rephrase; /* for tests and for the curious */
})();
