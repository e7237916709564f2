// The screening page: its keys, and the queue its votes are saved through.
//
// Keys: I include, E exclude, M maybe, N note, U back to the last reference, 1-9 exclude for that
// reason. Keys typed in the note (or any field) stay text; Esc leaves it.
//
// A key queues the vote and shows the next card at once, from the cards the page holds ahead
// (<template class="card-ahead">, topped up by each vote's answer), so that keys pressed quickly
// land on different references. Votes are sent one at a time, in order, and show as saved only
// once the server has said so. The queue is kept in sessionStorage: a reload, or a round trip
// through the login page, keeps it. A network error or a 5xx keeps the vote queued and retries
// it with backoff; a 401/403 (the session ended) asks to log in again; a 409 or another refusal
// drops that vote and says so, with the server's reason.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) { return; }
  var stage = root.dataset.stage;
  var screenUrl = root.dataset.screenUrl;
  var loginUrl = root.dataset.loginUrl;
  var AHEAD = 5;  // as SCREEN_AHEAD in screening/views/screening.py
  var RETRY_FIRST = 1000;
  var RETRY_MOST = 30000;
  var TIMEOUT = 20000;
  var STORE = "screen-queue:" + screenUrl;

  var queue = load();     // votes not saved yet, oldest first
  var ahead = [];         // card elements to show next, in order
  var endCard = null;     // "nothing left", once the server has said there are no more
  var last = null;        // the card voted on last and its vote, for U
  var sending = false;
  var filling = false;
  var retryTimer = null;
  var retryDelay = 0;
  var retryAt = 0;
  var trouble = "";       // why the oldest vote is not saved yet
  var needsLogin = false;
  var leaving = false;    // off to the login page: the queue is kept, no need to warn
  var savedCount = null;  // the reviewer's votes at this stage, as the server last counted them
  var lastSaved = "";

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE) || "[]"); } catch (error) { return []; }
  }
  function store() {
    try {
      if (queue.length) { sessionStorage.setItem(STORE, JSON.stringify(queue)); }
      else { sessionStorage.removeItem(STORE); }
    } catch (error) { /* private mode: the queue then lives as long as the page */ }
  }

  function card() { return document.getElementById("screen-card"); }
  function referenceOf(element) {
    var article = element && element.querySelector("article.reference");
    return article ? article.dataset.reference : null;
  }
  function announce(text) {
    var status = document.getElementById("screen-status");
    if (status) { status.textContent = text; }
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (error) { return ""; }
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // What the page holds at its stage: the card shown, those ahead, and the votes not saved yet.
  // The server hands out none of them again.
  function held() {
    var ids = {};
    var shown = referenceOf(card());
    if (shown) { ids[shown] = true; }
    ahead.forEach(function (element) { ids[referenceOf(element)] = true; });
    queue.forEach(function (item) { if (item.stage === stage) { ids[item.reference] = true; } });
    return ids;
  }

  // Cards from an answer (or the page itself): those not held already go to the end of the line.
  function takeCards(container, asked) {
    var ids = held();
    container.querySelectorAll("template.card-ahead").forEach(function (template) {
      var element = template.content.querySelector("#screen-card");
      var id = referenceOf(element);
      if (element && id && !ids[id]) {
        ahead.push(document.importNode(element, true));
        ids[id] = true;
      }
      template.remove();
    });
    var end = container.querySelector("template.card-end");
    if (end) {
      endCard = document.importNode(end.content.querySelector("#screen-card"), true);
      end.remove();
    } else if (asked > 0) {
      endCard = null;
    }
    // The placeholder gives way as soon as there is something to show.
    var current = card();
    if (current && current.querySelector(".loading") && (ahead.length || endCard)) { advance(); }
  }

  function placeholder() {
    var element = document.createElement("section");
    element.id = "screen-card";
    element.className = "screen-card";
    element.tabIndex = -1;
    element.innerHTML = '<p class="empty loading">Loading the next reference…</p>';
    return element;
  }

  function show(next) {
    var current = card();
    current.replaceWith(next);
    if (window.htmx) { htmx.process(next); }
    countVotes(next);
    // The next reference starts at its top, wherever the last one was scrolled to.
    var top = next.getBoundingClientRect().top + window.scrollY - 8;
    if (window.scrollY > top) { window.scrollTo(0, Math.max(top, 0)); }
  }

  function countVotes(element) {
    var count = element.querySelector(".my-votes");
    if (count && savedCount !== null) { count.textContent = plural(savedCount, "vote"); }
  }

  // The next card: the first held ahead, else "nothing left" if the server said so, else a
  // placeholder until more come.
  function advance() {
    var next = ahead.shift();
    if (!next) { next = endCard ? endCard.cloneNode(true) : placeholder(); }
    show(next);
    fillIfLow();
  }

  // Ask for more cards when few are left and no vote is on its way to bring them.
  function fillIfLow() {
    if (filling || endCard || ahead.length >= 2 || (sending && !trouble)) { return; }
    var want = AHEAD - ahead.length + (referenceOf(card()) ? 0 : 1);
    filling = true;
    var url = screenUrl + "?stage=" + encodeURIComponent(stage) + "&ahead=" + want +
      "&skip=" + Object.keys(held()).join(",");
    request(url, {}).then(function (answer) {
      filling = false;
      if (answer.ok) { takeCards(parse(answer.text), want); }
    }, function () { filling = false; });
  }

  function parse(text) {
    var template = document.createElement("template");
    template.innerHTML = text;
    return template.content;
  }

  function request(url, options) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT);
    options.headers = { "HX-Request": "true", "X-CSRFToken": csrfToken() };
    options.credentials = "same-origin";
    // A redirect here is the login page's: never followed, never taken for an answer.
    options.redirect = "manual";
    options.signal = controller.signal;
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        clearTimeout(timer);
        return { ok: response.ok, status: response.status, redirected: response.type === "opaqueredirect",
                 json: (response.headers.get("Content-Type") || "").indexOf("json") >= 0, text: text };
      });
    }, function (error) { clearTimeout(timer); throw error; });
  }

  // Votes ---------------------------------------------------------------------------------------

  function submitVote(vote) {
    var current = card();
    var reference = referenceOf(current);
    var form = current && current.querySelector("form.vote");
    if (!reference || !form) {
      announce("The next reference is still loading.");
      return false;
    }
    var checked = form.querySelector("input[name=reason]:checked");
    var reason = vote === "exclude" && checked ? checked.value : "";
    var itemStage = form.querySelector("input[name=stage]").value;
    if (itemStage === "full_text" && vote === "exclude" && !reason) {
      say(current, "An exclusion at full text needs a reason: press its number (1-9).");
      return true;
    }
    var title = (current.querySelector("#reference-title") || {}).textContent || "";
    var note = form.querySelector("textarea[name=note]");
    queue.push({
      reference: reference, stage: itemStage, url: form.getAttribute("action"), vote: vote,
      reason: reason, note: note ? note.value : "", title: title.trim().slice(0, 90)
    });
    store();
    last = { card: current, vote: vote, reason: reason };
    advance();
    pump();
    return true;
  }

  function say(element, text) {
    var line = element.querySelector(".card-message");
    if (!line) {
      line = document.createElement("p");
      line.className = "card-message error";
      line.setAttribute("role", "alert");
      element.querySelector("form.vote").prepend(line);
    }
    line.textContent = text;
    announce(text);
  }

  // Send the oldest vote, then the next, until none is left or one cannot go now.
  function pump() {
    render();
    if (sending || needsLogin || retryTimer || !queue.length) { return; }
    var item = queue[0];
    var body = new URLSearchParams();
    body.set("stage", item.stage);
    body.set("vote", item.vote);
    body.set("reason", item.reason);
    body.set("note", item.note);
    var want = 0;
    if (item.stage === stage) {
      var ids = held();
      var shown = referenceOf(card());
      // The card on screen is claimed for this reviewer, so it is not skipped.
      if (shown) { body.set("shown", shown); delete ids[shown]; }
      want = endCard ? 0 : Math.max(AHEAD - ahead.length, 0);
      body.set("skip", Object.keys(ids).join(","));
      body.set("ahead", String(want));
    }
    sending = true;
    render();
    request(item.url, { method: "POST", body: body }).then(function (answer) {
      sending = false;
      answered(item, answer, want);
    }, function () {
      sending = false;
      notYet("The connection failed");
    });
  }

  function answered(item, answer, want) {
    if (answer.redirected || answer.status === 401 || answer.status === 403) {
      needsLogin = true;
      render();
      return;
    }
    if (answer.status === 0 || answer.status >= 500 || answer.status === 408 || answer.status === 429) {
      notYet("The server failed (error " + answer.status + ")");
      return;
    }
    if (answer.ok) {
      var content = parse(answer.text);
      var saved = content.querySelector("output#vote-saved");
      if (!saved || saved.dataset.reference !== String(item.reference)) {
        notYet("The server's answer was not understood");
        return;
      }
      queue.shift();
      store();
      trouble = "";
      retryDelay = 0;
      savedCount = parseInt(saved.dataset.myVotes, 10);
      countVotes(card());
      lastSaved = "Voted " + saved.dataset.vote + " on reference " + item.reference + ".";
      announce(lastSaved);
      if (item.stage === stage) { takeCards(content, want); }
    } else {
      var detail = "";
      if (answer.json) {
        try { detail = JSON.parse(answer.text).detail || ""; } catch (error) { detail = ""; }
      }
      queue.shift();
      store();
      trouble = "";
      retryDelay = 0;
      dropped(item, detail || "The server refused it (error " + answer.status + ").");
    }
    // "Nothing left" was said while votes were still queued: ask again now that they are saved.
    if (!queue.length && !referenceOf(card())) { endCard = null; }
    pump();
    fillIfLow();
  }

  function notYet(why) {
    trouble = why;
    retryDelay = Math.min(Math.max(retryDelay * 2, RETRY_FIRST), RETRY_MOST);
    retryAt = Date.now() + retryDelay;
    retryTimer = setTimeout(function () { retryTimer = null; pump(); }, retryDelay);
    render();
  }

  function retryNow() {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    pump();
  }

  // A vote the server refused is dropped from the queue, and the page says which and why.
  function dropped(item, detail) {
    var list = document.getElementById("vote-dropped");
    var line = document.createElement("li");
    var text = document.createElement("p");
    text.textContent = "Not recorded: your vote “" + item.vote + "” on reference " + item.reference +
      (item.title ? " (" + item.title + ")" : "") + ". " + detail;
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "dismiss";
    dismiss.textContent = "Dismiss";
    dismiss.addEventListener("click", function () { line.remove(); });
    line.append(text, dismiss);
    list.append(line);
    announce(text.textContent);
  }

  // The line that says where the votes stand.
  function render() {
    var panel = document.getElementById("vote-queue");
    var text = panel.querySelector(".vote-queue-text");
    var retry = panel.querySelector(".retry-now");
    var login = panel.querySelector(".log-in-again");
    var waiting = queue.length ? plural(queue.length, "vote") : "";
    var first = queue.length ? " (the first on reference " + queue[0].reference + ")" : "";
    retry.hidden = true;
    login.hidden = true;
    if (needsLogin) {
      panel.dataset.state = "login";
      text.textContent = "Not saved yet: your session has ended, and " + waiting + first +
        " " + (queue.length === 1 ? "waits" : "wait") + " here. Log in again: they will be sent," +
        " and you will come back to this reference.";
      var shown = referenceOf(card());
      login.href = loginUrl + "?next=" + encodeURIComponent(
        screenUrl + "?stage=" + stage + (shown ? "&reference=" + shown : ""));
      login.hidden = false;
    } else if (trouble && queue.length) {
      panel.dataset.state = "waiting";
      var seconds = Math.max(Math.round((retryAt - Date.now()) / 1000), 1);
      text.textContent = "Not saved yet: " + waiting + first + " " +
        (queue.length === 1 ? "waits" : "wait") + " here. " + trouble + "; " +
        (sending ? "trying again now." : "trying again in " + seconds + " s.") +
        " You can go on voting.";
      retry.hidden = sending;
    } else if (queue.length) {
      panel.dataset.state = "sending";
      text.textContent = "Saving " + waiting + "…";
    } else {
      panel.dataset.state = "idle";
      text.textContent = lastSaved ? "All votes saved. " + lastSaved : "Votes are saved as you go.";
    }
  }

  // U: back to the last reference, to vote again (the new vote goes behind the first).
  function back() {
    var current = card();
    if (last) {
      var previous = last;
      last = null;
      if (referenceOf(current)) { ahead.unshift(current); }
      var own = previous.card.querySelector(".own-vote");
      if (own) {
        own.innerHTML = "";
        var strong = document.createElement("strong");
        strong.textContent = previous.vote;
        own.append("Your vote: ", strong,
          (previous.reason ? " (" + previous.reason + ")" : "") + ". Vote again to change it.");
        own.hidden = false;
      }
      previous.card.querySelectorAll(".card-message").forEach(function (line) { line.remove(); });
      show(previous.card);
      return true;
    }
    var url = current.dataset.previousUrl;
    if (!url) { return false; }
    request(url + "&ahead=0", {}).then(function (answer) {
      if (!answer.ok) { return; }
      var template = parse(answer.text).querySelector("template.card-ahead");
      if (!template) { return; }
      var now = card();
      if (referenceOf(now)) { ahead.unshift(now); }
      show(document.importNode(template.content.querySelector("#screen-card"), true));
    });
    return true;
  }

  // Keys ----------------------------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) { return; }
    var target = event.target;
    if (target.matches && target.matches("textarea, input, select")) {
      if (event.key === "Escape") { target.blur(); }
      if (target.type !== "radio") { return; }
    }
    if (!card()) { return; }
    var key = event.key.toLowerCase();
    var handled = false;
    if (key === "i") { handled = submitVote("include"); }
    else if (key === "e") { handled = submitVote("exclude"); }
    else if (key === "m") { handled = submitVote("maybe"); }
    else if (key === "n") {
      var note = card().querySelector("textarea[name=note]");
      if (note) { note.focus(); handled = true; announce("Writing a note; Esc to leave it."); }
    } else if (key === "u") {
      handled = back();
      if (handled) { announce("Back to the last reference: vote again to change it."); }
    } else if (/^[1-9]$/.test(key)) {
      var reason = card().querySelector('input[name=reason][data-key="' + key + '"]');
      if (reason) {
        reason.checked = true;
        announce("Excluding for: " + reason.value);
        handled = submitVote("exclude");
      }
    }
    if (handled) { event.preventDefault(); }
  });

  // The buttons queue their vote as the keys do.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("#screen-card form.vote")) { return; }
    event.preventDefault();
    if (event.submitter && event.submitter.value) { submitVote(event.submitter.value); }
  });

  // A click into the full text (a PDF in an iframe) takes the keyboard into the viewer, which
  // keeps the keys from this page; once the click is done, the card takes the keyboard back.
  // The viewer still scrolls with the wheel and its own buttons still work.
  window.addEventListener("blur", function () {
    setTimeout(function () {
      var active = document.activeElement;
      if (active && active.matches && active.matches("#screen-card iframe.full-text")) {
        card().focus({ preventScroll: true });
      }
    }, 0);
  });

  document.getElementById("vote-queue").querySelector(".retry-now")
    .addEventListener("click", retryNow);
  document.getElementById("vote-queue").querySelector(".log-in-again")
    .addEventListener("click", function () { leaving = true; });
  window.addEventListener("online", retryNow);
  window.addEventListener("beforeunload", function (event) {
    if (queue.length && !leaving) { event.preventDefault(); event.returnValue = ""; }
  });

  // Start: the cards that came with the page, less any the queue (kept from before a reload or
  // a login) already has a vote for; the card shown too, if it has one.
  var queued = queue.some(function (item) {
    return item.stage === stage && item.reference === referenceOf(card());
  });
  takeCards(document, AHEAD);
  if (queued) { advance(); }
  pump();
})();
