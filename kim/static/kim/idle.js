/* Idle-timeout warning (decisions D-075). base.html loads this only for signed-in users with an
   idle timeout, together with the dialog #kim-idle (templates/includes/idle_warning.html).

   The server decides (kim/accounts/sessions.py): this script only asks it how many seconds are
   left – with the header X-KIM-Background, so asking is no activity – opens the warning
   `data-warning` seconds before the end, and goes to the login page once the server says the
   session is over. "Stay signed in" posts the dialog's form to the keep-alive endpoint. */
(() => {
    "use strict";
    const dialog = document.getElementById("kim-idle");
    if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
        return;
    }
    const warning = Number(dialog.dataset.warning);
    const form = document.getElementById("kim-idle-form");
    const countdown = document.getElementById("kim-idle-seconds");
    let timer = 0;
    let ticker = 0;
    let deadline = 0;

    const toLogin = () => {
        const next = window.location.pathname + window.location.search;
        window.location.assign(`${dialog.dataset.loginUrl}?next=${encodeURIComponent(next)}`);
    };

    const tick = () => {
        countdown.textContent = String(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    };

    const show = () => {
        tick();
        if (!dialog.open) {
            dialog.showModal();
            window.clearInterval(ticker);
            ticker = window.setInterval(tick, 1000);
        }
    };

    const hide = () => {
        window.clearInterval(ticker);
        if (dialog.open) {
            dialog.close();
        }
    };

    // remaining: seconds until the timeout as the server counts them.
    const schedule = (remaining) => {
        window.clearTimeout(timer);
        deadline = Date.now() + remaining * 1000;
        if (remaining > warning) {
            hide();
            timer = window.setTimeout(check, (remaining - warning) * 1000);
        } else {
            show();
            // Ask again just after the end: the server signs out and answers "signed_in: false".
            timer = window.setTimeout(check, (remaining + 1) * 1000);
        }
    };

    const follow = (state) => {
        if (!state.signed_in) {
            toLogin();
        } else if (state.remaining !== null) {
            schedule(state.remaining);
        } else {
            hide(); // no timeout any more (the roles changed)
        }
    };

    function check() {
        window.clearTimeout(timer);
        fetch(dialog.dataset.statusUrl, {
            headers: { "X-KIM-Background": "1", Accept: "application/json" },
            credentials: "same-origin",
            cache: "no-store",
        })
            .then((response) => response.json())
            .then(follow)
            .catch(() => {
                timer = window.setTimeout(check, 10000); // offline for a moment: ask again later
            });
    }

    form.addEventListener("submit", (event) => {
        event.preventDefault();
        fetch(form.action, {
            method: "POST",
            body: new FormData(form),
            headers: { Accept: "application/json" },
            credentials: "same-origin",
        })
            .then((response) => (response.ok ? response.json() : Promise.reject(response)))
            .then(follow)
            .catch(() => form.submit()); // the server answers with a page instead
    });

    // Timers sleep with the laptop: look again when the page becomes visible.
    document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") {
            check();
        }
    });

    schedule(Number(dialog.dataset.remaining));
})();
