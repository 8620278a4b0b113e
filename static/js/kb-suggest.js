// The new-inquiry page: knowledge-base articles matching the title, shown as the member types.
// Without this script the "Find articles" button does the same through the server.
(function () {
  "use strict";
  var box = document.getElementById("kb-suggestions");
  var title = document.getElementById("id_title");
  if (!box || !title || !window.fetch) {
    return;
  }
  var product = document.getElementById("id_product");
  var list = box.querySelector(".kb-suggestion-list");
  var timer = null;
  var latest = 0;

  function show(articles) {
    var noMatch = box.querySelector(".kb-no-match");
    if (noMatch) {
      noMatch.remove();
    }
    list.replaceChildren();
    articles.forEach(function (article) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = article.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = article.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = articles.length === 0;
  }

  function lookUp() {
    var query = title.value.trim();
    var asked = ++latest;
    if (query.length < 2) {
      show([]);
      return;
    }
    // In the body, never the URL: a title may name a person.
    var params = new URLSearchParams({ q: query, product: product ? product.value : "" });
    fetch(box.dataset.suggestUrl, {
      method: "POST",
      headers: { Accept: "application/json" },
      body: params,
    })
      .then(function (response) {
        return response.ok ? response.json() : { articles: [] };
      })
      .then(function (data) {
        // An older answer arriving after a newer one must not replace it.
        if (asked === latest) {
          show(data.articles || []);
        }
      })
      .catch(function () {});
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 300);
  }

  title.addEventListener("input", later);
  if (product) {
    product.addEventListener("change", later);
  }
})();
