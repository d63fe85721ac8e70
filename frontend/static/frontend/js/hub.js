/* Balai Warga hub client: the one WebSocket of this tab, and the topics on it.
 *
 * Reconnection is reconnecting-websocket 4.4.0 (vendored, see
 * docs/decisions.md). Its own delay is a deterministic exponential; we turn it
 * into "full jitter" (a uniform random delay between 0 and min(cap, base·2^n))
 * by giving it a growth factor of 1 and a minReconnectionDelay that is a
 * getter, read by the library each time it waits.
 *
 * What this file guarantees to a topic handler:
 *   - `onOpen()` after every (re)connection, then the handler's join is sent
 *     with `since` = handler.lastId() (null when it has seen nothing) and,
 *     when the handler has lastRev(), `since_rev` = the last revision seen;
 *   - every server frame carrying its topic goes to `onFrame(frame)`;
 *   - replies to requests made through `request()` (ack, error, history)
 *     go to the callback given there, matched by `ref`;
 *   - unasked frames without a topic (`sanction`) go to every
 *     `onUntopicedFrame(listener)`.
 * The library's send queue is off: a frame sent while disconnected is not
 * queued (handlers resend what matters after rejoining).
 */
(function () {
  "use strict";

  var BACKOFF_BASE_MS = 500;
  var BACKOFF_CAP_MS = 30000;
  var PING_EVERY_MS = 25000;
  // No frame at all for this long while open: the connection is dead even if
  // the browser has not noticed yet.
  var SILENCE_LIMIT_MS = PING_EVERY_MS * 2 + 10000;
  var CLOSE_AUTH_LOST = 4001;
  var CLOSE_TOO_MANY = 4029;

  function fullJitter(attempt) {
    var ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * Math.pow(2, Math.max(0, attempt)));
    return Math.random() * ceiling;
  }

  function Hub(url) {
    var hub = this;
    this.url = url;
    this.handlers = {};        // topic -> handler
    this.pending = {};         // ref -> callback(frame)
    this.refCounter = 0;
    this.stateListeners = [];
    this.untopicedListeners = [];
    this.state = "connecting";
    this.everOpened = false;
    this.lastFrameAt = Date.now();
    this.raw = null;           // the current native WebSocket (test hook: balaiHub.socket)
    this.closeCode = null;

    // A WebSocket class that remembers the latest instance, so tests can drop
    // the real connection without telling the library to stop reconnecting.
    var Native = window.WebSocket;
    function TrackedWebSocket(target, protocols) {
      var socket = protocols ? new Native(target, protocols) : new Native(target);
      hub.raw = socket;
      return socket;
    }
    TrackedWebSocket.CONNECTING = 0;
    TrackedWebSocket.OPEN = 1;
    TrackedWebSocket.CLOSING = 2;
    TrackedWebSocket.CLOSED = 3;

    var options = {
      WebSocket: TrackedWebSocket,
      maxReconnectionDelay: BACKOFF_CAP_MS,
      reconnectionDelayGrowFactor: 1,
      connectionTimeout: 10000,
      maxEnqueuedMessages: 0,
      minUptime: 5000,
    };
    Object.defineProperty(options, "minReconnectionDelay", {
      enumerable: true,
      get: function () { return fullJitter(hub.rws ? hub.rws.retryCount - 1 : 0); },
    });
    this.rws = new window.ReconnectingWebSocket(url, [], options);
    this.rws.addEventListener("open", function () { hub._onOpen(); });
    this.rws.addEventListener("close", function (event) { hub._onClose(event); });
    this.rws.addEventListener("message", function (event) { hub._onMessage(event); });
    window.addEventListener("offline", function () { hub._setState("disconnected"); });
    window.addEventListener("online", function () {
      if (hub.state !== "open") { hub.rws.reconnect(); }
    });
    this.pinger = window.setInterval(function () { hub._ping(); }, PING_EVERY_MS);
  }

  Object.defineProperty(Hub.prototype, "socket", {
    get: function () { return this.raw; },
  });

  Hub.prototype.onState = function (listener) {
    this.stateListeners.push(listener);
    listener(this.state, this.closeCode);
  };

  Hub.prototype._setState = function (state) {
    if (state === this.state) { return; }
    this.state = state;
    var code = this.closeCode;
    this.stateListeners.forEach(function (listener) { listener(state, code); });
  };

  /** Frames the server sends with no topic and unasked (`sanction`) go to
   * every listener given here. */
  Hub.prototype.onUntopicedFrame = function (listener) {
    this.untopicedListeners.push(listener);
  };

  Hub.prototype.isOpen = function () {
    return this.rws.readyState === 1;
  };

  /** Send a frame now; false when not connected (nothing is queued). */
  Hub.prototype.send = function (frame) {
    if (!this.isOpen()) { return false; }
    this.rws.send(JSON.stringify(frame));
    return true;
  };

  /** Send a frame with a fresh `ref`; `callback` gets the reply carrying it.
   * Returns false (and forgets the callback) when not connected. */
  Hub.prototype.request = function (frame, callback) {
    this.refCounter += 1;
    var ref = "r" + this.refCounter;
    frame.ref = ref;
    if (callback) { this.pending[ref] = callback; }
    if (!this.send(frame)) {
      delete this.pending[ref];
      return false;
    }
    return true;
  };

  /** Follow a topic. `handler`: {lastId(), onOpen(), onFrame(frame), onJoinError(frame)}. */
  Hub.prototype.subscribe = function (topic, handler) {
    this.handlers[topic] = handler;
    if (this.isOpen()) { this._join(topic); }
  };

  /** Join a followed topic again (after a failed join). */
  Hub.prototype.rejoin = function (topic) {
    if (this.handlers[topic] && this.isOpen()) { this._join(topic); }
  };

  Hub.prototype._join = function (topic) {
    var handler = this.handlers[topic];
    if (handler.onOpen) { handler.onOpen(); }
    var join = { type: "join", topic: topic, since: handler.lastId() };
    // Rooms: also the changes (edits, removals) made since the last revision seen.
    if (handler.lastRev) { join.since_rev = handler.lastRev(); }
    this.request(join, function (reply) {
      if (reply.type === "error" && handler.onJoinError) { handler.onJoinError(reply); }
      else if (reply.type === "joined") { handler.onFrame(reply); }
    });
  };

  Hub.prototype._onOpen = function () {
    this.everOpened = true;
    this.closeCode = null;
    this.lastFrameAt = Date.now();
    // Replies to requests on the old socket will never come.
    this.pending = {};
    this._setState("open");
    for (var topic in this.handlers) {
      if (Object.prototype.hasOwnProperty.call(this.handlers, topic)) { this._join(topic); }
    }
  };

  Hub.prototype._onClose = function (event) {
    this.closeCode = event && event.code;
    this.pending = {};
    if (this.closeCode === CLOSE_TOO_MANY) {
      this._setState("disconnected");
      return;
    }
    // CLOSE_AUTH_LOST: the session ended; the library reconnects and the new
    // socket is a guest's (the page reloads to show the guest view).
    if (this.closeCode === CLOSE_AUTH_LOST && this.onAuthLost) { this.onAuthLost(); }
    this._setState(this.everOpened ? "reconnecting" : "connecting");
    if (this.rws.retryCount > 3 && navigator.onLine !== false) {
      this._setState("disconnected");
    }
  };

  Hub.prototype._onMessage = function (event) {
    this.lastFrameAt = Date.now();
    var frame;
    try {
      frame = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    if (!frame || typeof frame.type !== "string") { return; }
    if (frame.type === "pong") { return; }
    if (frame.ref && this.pending[frame.ref]) {
      var callback = this.pending[frame.ref];
      delete this.pending[frame.ref];
      callback(frame);
      return;
    }
    if (!frame.topic) {
      this.untopicedListeners.forEach(function (listener) { listener(frame); });
      return;
    }
    var handler = this.handlers[frame.topic];
    if (handler) { handler.onFrame(frame); }
  };

  Hub.prototype._ping = function () {
    if (!this.isOpen()) { return; }
    if (Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS) {
      this.rws.reconnect();
      return;
    }
    this.send({ type: "ping" });
  };

  /** The tab's hub, created on first use (one WebSocket per tab). */
  function get() {
    if (!window.balaiHub) {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      window.balaiHub = new Hub(scheme + window.location.host + "/ws/");
    }
    return window.balaiHub;
  }

  window.BalaiHub = { get: get, fullJitter: fullJitter };
})();
