// The "Print" button of a printout page: a script file, since the Content-Security-Policy refuses inline code.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
