/* The shell's few behaviours, no framework: the phone's "更多" (more) menu, a search box over long
   pickers, and photos shrunk on the phone before they are uploaded (the server still checks them). */
(function () {
  "use strict";

  var PICKER_MIN = 20; // a list longer than this gets a search box
  var PHOTO_EDGE = 1600; // the longer side of a photo after shrinking, in pixels
  var PHOTO_QUALITY = 0.85;

  function moreMenu() {
    var button = document.querySelector("[data-testid=nav-more]");
    var nav = document.getElementById("main-nav");
    if (!button || !nav) return;
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function words(text) {
    return (text || "").toLowerCase().replace(/\s+/g, "");
  }

  function searchBox(label, onInput) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "picker-search";
    input.placeholder = label;
    input.setAttribute("aria-label", label);
    input.setAttribute("autocomplete", "off");
    input.addEventListener("input", function () {
      onInput(words(input.value));
    });
    return input;
  }

  function searchSelect(select, label) {
    var box = searchBox(label, function (q) {
      var options = Array.prototype.slice.call(select.options);
      var matches = options.filter(function (option) {
        return option.value !== "" && (!q || words(option.text).indexOf(q) !== -1);
      });
      if (q && matches.length === 1 && !select.multiple) {
        select.value = matches[0].value; // one left: it is chosen, one tap saved
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      options.forEach(function (option) {
        var match = option.value === "" || matches.indexOf(option) !== -1;
        option.hidden = !match && !option.selected;
      });
    });
    box.dataset.for = select.id || select.name;
    select.parentNode.insertBefore(box, select);
  }

  function searchChecks(group, label) {
    var items = group.querySelectorAll("input[type=checkbox], input[type=radio]");
    var box = searchBox(label, function (q) {
      Array.prototype.forEach.call(items, function (input) {
        var row = input.closest("label") || input.parentNode;
        var match = !q || words(row.textContent).indexOf(q) !== -1;
        row.hidden = !match && !input.checked;
      });
    });
    group.insertBefore(box, group.firstChild);
  }

  function pickers(root) {
    var label = document.documentElement.dataset.searchLabel || "Search";
    root.querySelectorAll("select").forEach(function (select) {
      if (select.dataset.searchable || select.options.length <= PICKER_MIN) return;
      select.dataset.searchable = "1";
      searchSelect(select, label);
    });
    // Django draws a list of checkboxes as <div id="id_<field>"> of labelled inputs.
    root.querySelectorAll("fieldset, .checkbox-list, [data-picker], div[id^=id_]").forEach(function (group) {
      if (group.dataset.searchable) return;
      var boxes = group.querySelectorAll("input[type=checkbox], input[type=radio]");
      if (boxes.length <= PICKER_MIN) return;
      if (group.querySelector("fieldset, .checkbox-list, [data-picker], div[id^=id_]")) return; // the inner one gets it
      group.dataset.searchable = "1";
      searchChecks(group, label);
    });
  }

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1024 * 1024) return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(
          function (blob) {
            if (!blob || blob.size >= file.size) return resolve(file);
            var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
            resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
          },
          "image/jpeg",
          PHOTO_QUALITY
        );
      });
    }, function () {
      return file; // the browser cannot read it: the server says why
    });
  }

  function photoInputs(root) {
    root.querySelectorAll("input[type=file][data-shrink]").forEach(function (input) {
      if (input.dataset.shrinkReady) return;
      input.dataset.shrinkReady = "1";
      var form = input.form;
      var pending = null;
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files || []);
        if (!files.length || !window.DataTransfer) return;
        input.dataset.shrinking = "1";
        pending = Promise.all(files.map(shrink)).then(function (smaller) {
          var list = new DataTransfer();
          smaller.forEach(function (f) { list.items.add(f); });
          input.files = list.files; // setting files fires no change event
          input.dataset.shrunk = String(smaller.reduce(function (n, f) { return n + f.size; }, 0));
          input.dataset.shrinking = "";
          pending = null;
        });
      });
      if (form) {
        form.addEventListener("submit", function (event) {
          if (!pending) return;
          event.preventDefault();
          var submitter = event.submitter;
          pending.then(function () { form.requestSubmit(submitter || undefined); });
        });
      }
    });
  }

  function enhance(root) {
    pickers(root);
    photoInputs(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    moreMenu();
    enhance(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    enhance(event.target || document);
  });
})();
