// Small progressive enhancements; every page works without them.
"use strict";

// Every time is printed in UTC (labelled) by the server; add the reader's own time beside it
// when their zone differs, so "15:00 UTC" also reads as "16:00 your time".
function localizeTimes(root) {
  for (const el of root.querySelectorAll("time[datetime]")) {
    const moment = new Date(el.getAttribute("datetime"));
    const next = el.nextElementSibling;
    if (isNaN(moment) || moment.getTimezoneOffset() === 0 || (next && next.matches(".local-time"))) {
      continue;
    }
    const local = document.createElement("span");
    local.className = "local-time muted";
    local.textContent = " (" + moment.toLocaleString(undefined, {
      month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    }) + " your time)";
    el.after(local);
  }
}

// Poll a submission's status until grading is final, swapping in the server-rendered
// (already escaped) feedback fragment.
function followSubmission(box) {
  const url = box.dataset.statusUrl;
  let delay = 500;
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
      if (response.status === 401 || response.status === 403 || response.redirected || (response.ok && !isJson)) {
        // The session ended (the answer is the login page): polling on would wait forever.
        sessionExpired(box);
        return;
      }
      if (response.ok) {
        const data = await response.json();
        box.innerHTML = data.html;
        localizeTimes(box);
        const history = document.querySelector("#history");
        if (history && data.history) {
          history.innerHTML = data.history;
          localizeTimes(history);
        }
        box.dataset.final = data.final ? "true" : "false";
        document.title = document.title.replace(/^\[[a-z]+\] /, "");
        if (data.final) {
          for (const banner of document.querySelectorAll("[data-until-final]")) {
            banner.remove();  // "Submitted" is no longer news
          }
          return;
        }
        document.title = "[" + data.status + "] " + document.title;
      }
    } catch (error) {
      // The network blinked: keep trying, a little more slowly.
    }
    delay = Math.min(delay * 1.3, 3000);
    setTimeout(poll, delay);
  }
  setTimeout(poll, delay);
}

function sessionExpired(box) {
  for (const spinner of box.querySelectorAll(".spinner")) {
    spinner.remove();
  }
  const notice = document.createElement("p");
  notice.className = "flash flash-error";
  notice.setAttribute("role", "alert");
  notice.dataset.sessionExpired = "";
  notice.append("Your session has expired, so this page stopped following the grading. ");
  const link = document.createElement("a");
  link.href = "/auth/login?next=" + encodeURIComponent(location.pathname);
  link.textContent = "Log in again to see the result.";
  notice.append(link);
  box.prepend(notice);
  box.dataset.final = "expired";
}

// The dashboard's submissions table and counted grades, while grading goes on (and once
// more after it ends): rows come back rendered (escaped) by the server's own macros, and a
// row is replaced only when its data-version changed.
function liveRows(table, grades) {
  let wasBusy = false;
  return async function refresh(state) {
    const rows = [...table.querySelectorAll("tr[data-submission]")];
    const busy = state.queued + state.running > 0 || rows.some((row) => row.dataset.final !== "true");
    if (!busy && !wasBusy) {
      return;
    }
    wasBusy = busy;
    const ids = rows.map((row) => row.dataset.submission).join(",");
    const response = await fetch(`${table.dataset.rowsUrl}?ids=${ids}`, { cache: "no-store" });
    if (!response.ok) {
      return;
    }
    const fresh = await response.json();
    const holder = document.createElement("template");
    for (const row of rows) {
      const html = fresh.rows[row.dataset.submission];
      if (!html) {
        continue;
      }
      holder.innerHTML = html.trim();
      const replacement = holder.content.firstElementChild;
      if (replacement.dataset.version !== row.dataset.version) {
        row.replaceWith(replacement);
        localizeTimes(replacement);
      }
    }
    if (grades && grades.innerHTML.trim() !== fresh.grades.trim()) {
      grades.innerHTML = fresh.grades;
      localizeTimes(grades);
    }
  };
}

// The instructor dashboard's queue and regrade progress, refreshed every few seconds.
// Only numbers and names go in, through textContent: nothing is parsed as HTML.
function followQueue(panel) {
  const table = document.querySelector("table[data-rows-url]");
  const refreshRows = table && liveRows(table, document.querySelector("table[data-table=grades] tbody"));
  async function poll() {
    try {
      const response = await fetch(panel.dataset.url, { cache: "no-store" });
      if (response.ok) {
        const state = await response.json();
        panel.querySelector("[data-queue=queued]").textContent = state.queued;
        panel.querySelector("[data-queue=running]").textContent = state.running;
        const names = state.workers && state.workers.length ? state.workers : state.busy_workers;
        panel.querySelector("[data-queue=workers]").textContent = names.join(", ") || "none busy";
        for (const batch of state.batches || []) {
          const row = document.querySelector(`[data-batch="${batch.id}"]`);
          if (row) {
            row.querySelector("progress").value = batch.done;
            row.querySelector("[data-progress]").textContent = `${batch.done} / ${batch.total} done`;
          }
        }
        if (refreshRows) {
          await refreshRows(state);
        }
      }
    } catch (error) {
      // Try again at the next tick.
    }
    setTimeout(poll, 3000);
  }
  setTimeout(poll, 3000);
}

function enableCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const target = document.querySelector(button.dataset.copy);
      await navigator.clipboard.writeText(target.textContent.trim());
      button.textContent = "Copied";
    });
  }
}

// Destructive or wide-reaching forms ask first: data-confirm holds the question, and
// data-confirm-if-empty names a field whose emptiness makes the action wide (a whole class).
function enableConfirmations() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      const field = form.dataset.confirmIfEmpty && form.elements[form.dataset.confirmIfEmpty];
      if (field && field.value.trim()) {
        return;
      }
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }
}

// Say at once, beside the file input, when the chosen file is too large or wrongly named.
function checkUploads() {
  for (const input of document.querySelectorAll("input[type=file][data-max-bytes]")) {
    const problem = input.closest("form").querySelector("[data-upload-problem]");
    input.addEventListener("change", () => {
      const file = input.files[0];
      const messages = [];
      input.setCustomValidity("");
      if (file && file.size > Number(input.dataset.maxBytes)) {
        const limit = Math.round(Number(input.dataset.maxBytes) / 1024);
        input.setCustomValidity(`This file is ${Math.ceil(file.size / 1024)} KiB; the limit is ${limit} KiB.`);
        messages.push(input.validationMessage);
      }
      if (file && input.dataset.expectedName && file.name !== input.dataset.expectedName) {
        messages.push(`This file is called ${file.name}; the assignment expects ${input.dataset.expectedName}. ` +
                      `It will be graded as ${input.dataset.expectedName}: check that it is the right file.`);
      }
      if (problem) {
        problem.textContent = messages.join(" ");
        problem.hidden = messages.length === 0;
      }
    });
  }
}

// LTI: go on with a launch in this frame when it may keep cookies; otherwise the page's
// "Open in a new window" link is the way on. Post a deep-linking answer back to the LMS.
function continueLtiLaunch(box) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "lti_probe=1; path=/; SameSite=None" + secure;
  const kept = document.cookie.includes("lti_probe=1");
  document.cookie = "lti_probe=; path=/; max-age=0; SameSite=None" + secure;
  const loading = box.querySelector("[data-lti-loading]");
  if (kept || window.top === window) {
    location.replace(box.dataset.continue);
  } else if (loading) {
    loading.textContent = "Your browser keeps this page from opening inside the course.";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  localizeTimes(document);
  const ltiCheck = document.querySelector("[data-lti-cookie-check]");
  if (ltiCheck) {
    continueLtiLaunch(ltiCheck);
  }
  for (const form of document.querySelectorAll("form[data-auto-submit]")) {
    form.submit();
  }
  enableCopyButtons();
  enableConfirmations();
  checkUploads();
  const box = document.querySelector("#feedback[data-status-url]");
  if (box && box.dataset.final !== "true") {
    followSubmission(box);
  } else if (box) {
    for (const banner of document.querySelectorAll("[data-until-final]")) {
      banner.remove();
    }
  }
  const queue = document.querySelector("#queue[data-url]");
  if (queue) {
    followQueue(queue);
  }
});
