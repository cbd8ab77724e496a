"""argparse in Chinese: its usage, section titles and error messages.

argparse looks its wording up through the module-level `_` (gettext) each time it builds a parser
or reports an error; `install()` points that at this table, so `budgetbot --help` and every
argument error read in Chinese. Wording argparse has that is not here stays English (it is only
about mistakes in how argparse itself is called)."""

from __future__ import annotations

import argparse

ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示这段帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s（问题以 - 开头时，请写在 -- 之后）",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有 %(value)r 这个选项（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的 %(type)s",
    "expected one argument": "后面需要一个值",
    "expected at most one argument": "后面最多一个值",
    "expected at least one argument": "后面至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与 %s 同时使用",
    "ignored explicit argument %r": "多余的值 %r",
    "one of the arguments %s is required": "需要 %s 中的一个",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有 %(parser_name)r 这个命令（可用：%(choices)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s：%(message)s\n运行 budgetbot --help 查看用法。\n",
}


def translate(message: str) -> str:
    return ZH.get(message, message)


def install() -> None:
    argparse._ = translate  # type: ignore[attr-defined]
