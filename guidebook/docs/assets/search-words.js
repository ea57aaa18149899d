/* Search as reps type it, in front of Material's search worker (loaded before Material's own script, see
   guidebook/overrides/main.html).

   Material adds a wildcard to every word, so a short word such as "in" also finds "integration" and
   "invoice", and a whole word such as "spreadsheets" misses the stemmed "spreadsheet" in the index. So:
   - common words ("we", "in", "the", "can't") are dropped;
   - each whole word is looked up as a word (stemmed), and the word still being typed also by its start;
   - two words or more ("finance sign-off", a question or an objection typed out) must all be in the same
     section; when no section has them all, the search runs again with any of them.
   Queries written in Lunr's own syntax (+, -, *, ~, ^, :, quotes) are left as they are. */
(function () {
  "use strict";

  var QUERY = 2; /* Material's message types: SETUP, READY, QUERY, RESULT */
  var RESULT = 3;
  var ALL_WORDS_FROM = 2;
  var COMMON = new Set(
    (
      "a able about across after all almost also am among an and any are as at be because been but by can " +
      "cannot could dear did do does either else ever every for from get got had has have he her hers him his " +
      "how however i if in into is it its just least let like likely may me might most must my neither no nor " +
      "not of off often on only or other our own rather said say says she should since so some than that the " +
      "their them then there these they this tis to too twas us wants was we were what when where which while " +
      "who whom why will with would yet you your we're we've we'll i'm it's isn't don't can't won't they're " +
      "that's there's doesn't didn't aren't let's"
    ).split(" ")
  );
  var SEPARATOR = /[\s\-_,:;!?=\[\]()"\/.…“”`]+/;

  function tokens(query) {
    return query
      .toLowerCase()
      .replace(/[‘’]/g, "'")
      .split(SEPARATOR)
      .map(function (word) {
        return word.replace(/^'+|'+$/g, "");
      })
      .filter(function (word) {
        return word.length > 0;
      });
  }

  function isContent(word) {
    return word.length > 1 && !COMMON.has(word);
  }

  /* The query to run first, and the one to run when it finds nothing (or null). */
  function plan(query) {
    if (/[+~^*:"]|(^|\s)-/.test(query)) return { first: query, fallback: null };
    var raw = tokens(query);
    var found = raw.filter(isContent);
    /* A single word being typed ("in" on the way to "invoice") is looked up by its start, as Material does. */
    if (!found.length) return { first: raw.length === 1 ? query : "", fallback: null };
    /* The last word is still being typed when nothing (a space, a question mark) follows it. */
    var typing = /[\w']$/.test(query) && raw[raw.length - 1] === found[found.length - 1];
    function term(word, index, required) {
      /* `word^1` is looked up as a whole, stemmed word; a bare word gets Material's wildcard. */
      if (typing && index === found.length - 1) return word + "^1 " + word;
      return (required ? "+" : "") + word + "^1";
    }
    var any = found.map(function (word, index) { return term(word, index, false); }).join(" ");
    if (found.length < ALL_WORDS_FROM) return { first: any, fallback: null };
    var all = found.map(function (word, index) { return term(word, index, true); }).join(" ");
    return { first: all, fallback: any };
  }

  function wrap(worker) {
    var fallbacks = []; /* one per query sent, in order: the worker answers in order */
    var listeners = [];
    var post = worker.postMessage.bind(worker);
    var listen = worker.addEventListener.bind(worker);

    worker.postMessage = function (message) {
      if (message && message.type === QUERY && typeof message.data === "string") {
        var planned = plan(message.data);
        fallbacks.push(planned.fallback);
        return post({ type: QUERY, data: planned.first });
      }
      return post.apply(null, arguments);
    };
    worker.addEventListener = function (type, listener, options) {
      if (type === "message") listeners.push(listener);
      else listen(type, listener, options);
    };
    listen("message", function (event) {
      if (event.data && event.data.type === RESULT) {
        var fallback = fallbacks.shift();
        var empty = !event.data.data || !event.data.data.items || !event.data.data.items.length;
        if (fallback && empty && !fallbacks.length) {
          fallbacks.push(null);
          post({ type: QUERY, data: fallback });
          return;
        }
      }
      listeners.forEach(function (listener) {
        if (typeof listener === "function") listener.call(worker, event);
        else listener.handleEvent(event);
      });
    });
    return worker;
  }

  var Native = window.Worker;
  function Worker(url, options) {
    var worker = new Native(url, options);
    return /workers\/search\./.test(String(url)) ? wrap(worker) : worker;
  }
  Worker.prototype = Native.prototype;
  window.Worker = Worker;
  window.waymarkSearchPlan = plan; /* for tests and for the curious */
})();
