"""Usage errors (a missing argument, an unknown option, a bad value) in the user's language.

click — vendored inside recent typer — writes them in English, with no catalog to translate
them through. The command runs click in non-standalone mode and tells a usage error itself:
the usage line, the error, and where to find help, in Vietnamese unless English is asked for
(``--lang en``, ``CCHC_LANG=en``). click's wording is matched by pattern; a message no pattern
knows is shown as click wrote it. The exit code stays click's (2)."""

from __future__ import annotations

import re
from typing import Any

_PATTERNS = (
    (r"Missing argument '(.+)'\.?", r"Thiếu tham số '\1'."),
    (r"Missing option '(.+)'\.?", r"Thiếu tùy chọn '\1'."),
    (r"Missing parameter: (.+)", r"Thiếu tham số: \1"),
    (r"No such option: (\S+) \(Possible options: (.+)\)", r"Không có tùy chọn \1 (có: \2)"),
    (r"No such option: (\S+) \(Did you mean (.+)\?\)", r"Không có tùy chọn \1 (ý là \2?)"),
    (r"No such option: (\S+)", r"Không có tùy chọn \1"),
    (r"No such command '(.+)'\.", r"Không có lệnh '\1'."),
    (r"Option '(.+)' requires an argument\.", r"Tùy chọn '\1' cần một giá trị."),
    (r"Option '(.+)' requires (\d+) arguments\.", r"Tùy chọn '\1' cần \2 giá trị."),
    (r"Got unexpected extra arguments? \((.+)\)", r"Thừa tham số (\1)"),
    (r"Invalid value for '(.+?)': (.+)", r"Giá trị không hợp lệ ở '\1': \2"),
    (r"Invalid value: (.+)", r"Giá trị không hợp lệ: \1"),
)
_DETAILS = (
    (r"Value error, '(.+)' is not one of (.+)", r"'\1' không thuộc \2"),
    (r"'(.+)' is not one of (.+)\.", r"'\1' không thuộc \2."),
    (r"'(.+)' is not a valid integer( range)?\.", r"'\1' không phải số nguyên."),
    (r"'(.+)' is not a valid float( range)?\.", r"'\1' không phải một số."),
    (r"(.+) is not in the range (.+)\.", r"\1 nằm ngoài khoảng \2."),
    (r"(.+) is not in the range x>=(\d+)\.", r"\1 phải từ \2 trở lên."),
)


# the words click and typer write into every --help, and the user's words for them: put in
# before click wraps the text (so a longer word never pushes a line past the width)
_HEADINGS = {"Arguments": "Tham số", "Options": "Tùy chọn", "Commands": "Lệnh"}
_EXTRAS = (
    ("[required]", "[bắt buộc]"),
    ("[env var: ", "[biến môi trường: "),
    ("[default: ", "[mặc định: "),
)


def _worded(text: str) -> str:
    for english, words in _EXTRAS:
        text = text.replace(english, words)
    return text


def word_formatter(formatter: Any, lang: str) -> None:
    """Make click's help formatter write its own words in ``lang`` as it formats: section
    headings, the usage prefix, and the extras of each option ([required], [env var: …])."""
    if lang == "en":
        return
    write_dl, write_usage, write_heading = (formatter.write_dl, formatter.write_usage,
                                            formatter.write_heading)

    def dl(rows: Any, *args: Any, **kwargs: Any) -> None:
        write_dl([(term, _worded(text)) for term, text in rows], *args, **kwargs)

    def usage(prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(prog, args, "Cách dùng: ")

    def heading(text: str) -> None:
        write_heading(_HEADINGS.get(text, text))

    formatter.write_dl, formatter.write_usage, formatter.write_heading = dl, usage, heading


# the help of the options click and typer add themselves, by the option's name
OPTION_HELP = {
    "help": "Hiện hướng dẫn này rồi thoát.",
    "install_completion": "Cài tự hoàn thành lệnh (phím Tab) cho shell đang dùng.",
    "show_completion": "In mã tự hoàn thành lệnh của shell đang dùng, để chép hoặc tự cài.",
}


def worded_params(params: list[Any], lang: str) -> list[Any]:
    """``params`` with the help of click's and typer's own options in ``lang``."""
    if lang != "en":
        for param in params:
            if param.name in OPTION_HELP:
                param.help = OPTION_HELP[param.name]
    return params


def usage_pieces(pieces: list[str]) -> list[str]:
    """The usage line's pieces as a reader expects them: typer writes a required argument
    ``{FILE}``; it is written ``FILE`` (an optional one stays ``[FILE]``)."""
    return [re.sub(r"\{([^{}]*)\}", r"\1", piece) for piece in pieces]


def vietnamese(message: str) -> str:
    """click's English message in Vietnamese, where a pattern knows it."""
    for pattern, words in _PATTERNS:
        match = re.fullmatch(pattern, message.strip(), re.S)
        if match:
            text = match.expand(words)
            for detail, detail_words in _DETAILS:
                text = re.sub(detail, detail_words, text)
            return text
    return message


def wanted_lang(argv: list[str], default: str) -> str:
    """The language asked for on the command line (``--lang en``), else ``default``: read
    before click parses, so a usage error is told in it too."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return default


def is_usage_error(exc: BaseException) -> bool:
    return exc.__class__.__name__ in ("UsageError", "BadParameter", "MissingParameter",
                                      "NoSuchOption", "BadOptionUsage", "BadArgumentUsage") \
        or any(k.__name__ == "UsageError" for k in type(exc).__mro__)


def tell(exc: Any, lang: str, echo: Any) -> int:
    """Print a usage error as click would, in ``lang``; the exit code."""
    ctx = getattr(exc, "ctx", None)
    if exc.__class__.__name__ == "NoArgsIsHelpError":  # `cchc` alone: its help, as click does
        exc.show()
        return int(getattr(exc, "exit_code", 2))
    message = exc.format_message()
    if lang == "en":
        exc.show()
        return int(getattr(exc, "exit_code", 2))
    if ctx is not None:
        usage = ctx.get_usage().replace("Usage:", "Cách dùng:", 1)
        echo(usage)
        names = getattr(ctx, "help_option_names", None) or ["--help"]
        echo(f"Xem '{ctx.command_path} {names[0]}' để được hướng dẫn.\n")
    echo(f"Lỗi: {vietnamese(message)}")
    return int(getattr(exc, "exit_code", 2))
