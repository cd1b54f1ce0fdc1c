// Signing in to the manager page: a manager's id + PIN (POST /manager/login → a session
// that expires), or, behind a link, the shared manager token (a bootstrap the daemon warns
// about). The token is kept in sessionStorage (gone when the tab closes); the header shows
// who is signed in and a 退出 button. Loaded before manager.js, which calls
// managerLogin.init(onSignedIn, onSignedOut) and managerLogin.show(message) on a 401.
"use strict";

(function () {
  const KEY = "hall-manager-token";
  const API = "/api/v1";
  const $ = (id) => document.getElementById(id);
  let signedIn = () => {};
  let signedOut = () => {};

  const explain = (body, fallback) => {
    const err = (body && body.error) || {};
    return err.message ? `${err.message}。${err.message_en || ""}` : fallback;
  };

  /** Back to the sign-in form (the token is forgotten), with a message. */
  function show(message) {
    sessionStorage.removeItem(KEY);
    $("main").hidden = true;
    $("signin").hidden = false;
    $("who").hidden = true;
    $("sign-out").hidden = true;
    $("pin").value = "";
    $("login-error").textContent = message || "";
  }

  function enter(token) {
    sessionStorage.setItem(KEY, token);
    $("login-error").textContent = "";
    $("signin").hidden = true;
    signedIn(token);
  }

  /** Show who is signed in (GET /manager/me): a manager by name, or the bootstrap token. */
  async function who(token) {
    const r = await fetch(API + "/manager/me", { headers: { "Authorization": "Bearer " + token } })
      .catch(() => null);
    if (!r || !r.ok) return; // a 401 reaches manager.js's api() as well
    const me = await r.json();
    $("who").textContent = me.kind === "session"
      ? `${me.name}（${me.id}）` : `共用管理令牌 ${me.id}（仅供初始化 bootstrap）`;
    $("who").dataset.kind = me.kind;
    $("who").hidden = false;
    $("sign-out").hidden = false;
  }

  async function signIn(ev) {
    ev.preventDefault();
    const body = { manager_id: $("manager-id").value.trim(), pin: $("pin").value };
    $("pin").value = "";
    const r = await fetch(API + "/manager/login", { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).catch(() => null);
    if (!r) {
      $("login-error").textContent = "连不上大厅服务。Cannot reach the hall service.";
      return;
    }
    const answer = await r.json().catch(() => null);
    if (!r.ok) {
      $("login-error").textContent = explain(answer, `登录失败（HTTP ${r.status}）。Sign-in failed.`);
      return;
    }
    enter(answer.token);
  }

  /** 退出: end the session on the daemon (the bootstrap token has none), then the form. */
  async function signOut() {
    const token = sessionStorage.getItem(KEY);
    const session = $("who").dataset.kind === "session";
    signedOut();
    show("已退出。Signed out.");
    if (token && session) {
      await fetch(API + "/manager/logout", { method: "POST",
        headers: { "Authorization": "Bearer " + token } }).catch(() => null);
    }
  }

  $("login").addEventListener("submit", signIn);
  $("token-login").addEventListener("submit", (ev) => {
    ev.preventDefault();
    enter($("token").value.trim());
    $("token").value = "";
  });
  $("use-token").addEventListener("click", (ev) => {
    ev.preventDefault();
    $("token-login").hidden = false;
    $("token").focus();
  });
  $("sign-out").addEventListener("click", signOut);

  window.managerLogin = {
    init(onSignedIn, onSignedOut) { signedIn = onSignedIn; signedOut = onSignedOut; },
    token: () => sessionStorage.getItem(KEY),
    show,
    who,
  };
})();
