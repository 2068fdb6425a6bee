#!/usr/bin/env python3
"""Tokenizes a corpus with llama.cpp (llama-cpp-python, vocab only) and writes the reference
ids to crate/tests/fixtures/tokenizer_llamacpp.json, which crate/tests/tokenizer_llamacpp.rs
checks our Rust tokenizer against token for token.

    .tools/llama-cpp/bin/python models/reference/tokenizer_fixture.py [model.gguf]

The model defaults to $QINGYU_GGUF, else models/dist/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf.
Every string below was written for this file. Entries carry "parse_special": false when
special-token texts must stay plain text; otherwise specials are parsed. Also prints the
end-of-generation token ids llama.cpp uses for this vocabulary.
"""

import json
import os
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "models/dist/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf"
OUT = ROOT / "crate/tests/fixtures/tokenizer_llamacpp.json"

CHINESE = [
    "今天上午，市政府召开新闻发布会，介绍了今年前三季度的经济运行情况。",
    "据气象部门预报，未来三天我省大部分地区将有中到大雨，局部地区有暴雨。",
    "新建的跨江大桥预计明年年底通车，届时两岸通行时间将缩短到十分钟以内。",
    "学校图书馆延长了开放时间，期末考试期间每天开放到晚上十一点。",
    "这家公司宣布将在西部地区新建两座数据中心，总投资超过五十亿元。",
    "专家提醒，秋冬季节是呼吸道疾病高发期，老人和儿童要注意保暖。",
    "春节假期铁路客流持续攀升，多地车站增开临时列车缓解运输压力。",
    "博物馆新推出的数字展厅让观众可以在线欣赏馆藏文物的细节。",
    "农业农村部表示，今年夏粮再获丰收，总产量比去年略有增长。",
    "该市计划在五年内新增公园绿地两百公顷，让市民出门就能见到绿色。",
    "研究团队在深海发现了一种新的发光生物，相关论文已在国际期刊发表。",
    "社区食堂开业以来，每天为周边老年人提供营养均衡的午餐和晚餐。",
    "随着新能源汽车的普及，充电桩建设成为城市基础设施的重要组成部分。",
    "比赛进入最后一分钟，主队凭借一记远射完成逆转，全场观众沸腾了。",
    "我国科学家成功研制出新型电池材料，充电速度提高了近一倍。",
    "请大家排好队，依次进入会场，不要拥挤。",
    "他一边听音乐一边写作业，效率却一点也不低。",
    "这本书讲述了一个普通家庭三代人在城市变迁中的故事。",
    "明天的会议改到下午两点，地点在三楼小会议室。",
    "我们的目标是让每一个孩子都能享受公平而有质量的教育。",
    "山间的小路弯弯曲曲，两旁开满了不知名的野花。",
    "窗外下着小雨，街上的行人撑着各色的伞匆匆走过。",
    "奶奶做的饺子皮薄馅大，是全家人最喜欢的味道。",
    "火车穿过长长的隧道，眼前忽然出现一片金黄的油菜花田。",
    "这个问题看似简单，实际上涉及很多复杂的因素。",
    "由于网络故障，部分用户暂时无法登录，工程师正在紧急修复。",
    "物价总体保持平稳，居民消费价格同比上涨百分之零点四。",
    "记者从交通部门获悉，地铁三号线二期工程已完成全部隧道掘进。",
    "志愿者们清理了河道两岸的垃圾，还向路人宣传垃圾分类知识。",
    "夜深了，城市的灯光一盏一盏熄灭，只剩下路灯还在默默守候。",
    "中华人民共和国",
    "你好",
    "谢谢",
    "的",
    "了",
    "龘靐齉爩",
    "鬱蠡籲",
    "乾坤",
    "這是繁體中文的句子，用來測試不同的字形。",
    "臺灣與香港的用字習慣有些不同。",
]

CLASSICAL_PUNCT = [
    "他问：“你去哪儿？”我说：“回家。”",
    "《红楼梦》《西游记》《水浒传》《三国演义》并称四大名著。",
    "天哪！这是真的吗？！",
    "第一，要认真；第二，要细心；第三，要坚持。",
    "她沉默了很久……最后只说了一句“好吧”。",
    "‘单引号’与“双引号”不同。",
    "【通知】明天停水，请提前储水。",
    "（注：以上数据来自官方统计。）",
    "一、总则　二、分则　三、附则",
    "苹果、香蕉、橘子，都是我喜欢的水果。",
    "——这就是答案。",
    "「直角引号」和『双直角引号』在繁体中常见。",
    "他说：“我不知道……”然后就走了。",
    "。。。！！！？？？",
    "～～～·····",
    "〈短篇〉〔注〕〖标题〗",
]

FULL_WIDTH = [
    "ＡＢＣＤＥＦ",
    "ａｂｃ１２３",
    "１２３４５６７８９０",
    "价格：￥１，２３４．５０",
    "第２０２４号文件",
    "ＧＤＰ增长５．２％",
    "Ｈｅｌｌｏ，Ｗｏｒｌｄ！",
    "（１）（２）（３）",
    "＠＃＄％＾＆＊",
    "ｉＰｈｏｎｅ　１５",
]

ENGLISH = [
    "Hello world",
    "Hello, world!",
    "I'm sure it's fine, isn't it?",
    "They'll say we've done what we'd planned.",
    "You're right; I'd agree.",
    "DON'T SHOUT, I'M RIGHT HERE.",
    "She said 'hello' and left.",
    "The dog's bone and the dogs' bones.",
    "rock 'n' roll",
    "o'clock, ma'am, y'all",
    "Mr. Smith met Dr. Lee at 3 p.m. on Jan. 5th, e.g. at the U.S. embassy.",
    "The U.N. and the E.U. issued a joint statement.",
    "A quick brown fox jumps over the lazy dog.",
    "Summaries should be short: three sentences at most.",
    "It was the best of plans, it was the worst of plans.",
    "   leading spaces",
    "trailing spaces   ",
    "CamelCaseIdentifier and snake_case_identifier",
    "naïve café résumé façade",
    "Straße, Ärger, Öl, Übermut",
    "’Curly apostrophe’s test’",
    "he said ''quoted'' twice",
    "'S 'T 'RE 'VE 'M 'LL 'D",
    "'s't're've'm'll'd",
    "can't won't shouldn't",
]

NUMBERS = [
    "5.2%",
    "1,234,567",
    "3.14159265358979",
    "-42",
    "+86 138 0013 8000",
    "2024-05-09T07:29:33Z",
    "12:30 PM",
    "1e-10",
    "0x1F600",
    "$1.5 billion",
    "¥100",
    "€9,99",
    "98.6°F",
    "1/2 + 3/4 = 5/4",
    "½ ¼ ¾ ² ³",
    "Ⅰ Ⅱ Ⅲ Ⅳ Ⅻ",
    "١٢٣ ٤٥٦",
    "१२३",
    "2024年5月9日",
    "第3季度营收增长12.5%，达到1,234亿元。",
]

CODE = [
    "fn main() {\n    println!(\"Hello, world!\");\n}\n",
    "def add(a, b):\n    return a + b\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "const x = arr.map((v) => v * 2).filter(Boolean);",
    "if x != None and y >= 3:\n\tprint(x)",
    "SELECT id, name FROM users WHERE age > 18 ORDER BY name;",
    "<div class=\"note\">Hi</div>",
    "{\"key\": [1, 2, 3], \"ok\": true}",
    "#include <stdio.h>\n\nint main(void) { return 0; }",
    "x = y ** 2 // 3 % 4",
    "let s: &str = \"中文\"; // 注释",
    "a->b ::c ...d ===e !==f",
    "    \n    \n",
    "\t\tindented with tabs\n",
    "$ cargo test --release -- --nocapture",
]

URLS = [
    "https://www.example.com/path/to/page?query=1&lang=zh-CN#section",
    "http://localhost:8080/api/v1/items",
    "ftp://files.example.org/pub/readme.txt",
    "mailto:someone@example.com",
    "user.name+tag@sub.example.co.uk",
    "Visit https://example.com/文档 for details.",
    "C:\\Program Files\\App\\app.exe",
    "/usr/local/bin/python3",
    "www.example.cn/新闻/2024/05/09.html",
    "git@github.com:owner/repo.git",
]

MIXED = [
    "我在用Python写一个web爬虫。",
    "今天的AI新闻很多，比如GPT-4和Qwen2.5都发布了新版本。",
    "请把这段English翻译成中文。",
    "iPhone 15的价格是5999元。",
    "他说OK，然后就去开会了。",
    "这个API返回的JSON格式不对。",
    "北京时间2024年5月9日，NASA宣布了新的火星计划。",
    "用Rust编译成WebAssembly，在浏览器里运行。",
    "CPU占用率达到了95%，需要优化。",
    "我们team的KPI完成得不错。",
    "Qwen2.5-Coder-0.5B-Instruct模型",
    "中文English中文English",
    "测试test测试123测试",
    "他是MIT的PhD，研究NLP。",
    "价格从$99降到了$79，相当于打了8折。",
    "第1章 Introduction 引言",
    "请访问https://example.com获取更多信息。",
    "Tom说：“I'm fine, thanks.”",
    "会议室A-301",
    "Wi-Fi密码是abc123456",
]

EMOJI = [
    "😀",
    "Hello 👋 world 🌍",
    "👨‍👩‍👧‍👦",
    "👩🏽‍💻 writes code",
    "🇨🇳🇺🇸🇯🇵",
    "🏳️‍🌈",
    "❤️❤️❤️",
    "今天天气真好☀️，出去玩吧🎉！",
    "👍🏻👍🏼👍🏽👍🏾👍🏿",
    "🧑‍🚀 to the 🌕",
    "1️⃣2️⃣3️⃣",
    "😂😂😂😂😂",
    "♠♥♦♣",
    "✓ done ✗ failed",
    "🀄🃏",
]

WHITESPACE = [
    "a  b",
    "a   b",
    "a    b",
    "a\tb",
    "a\t\tb",
    "a\nb",
    "a\n\nb",
    "a\r\nb",
    "a\r\n\r\nb",
    "a \n b",
    "\nleading newline",
    "\n\n\nthree newlines",
    "trailing newline\n",
    "trailing newlines\n\n",
    "trailing space ",
    " ",
    "  ",
    "\n",
    "\t",
    "\r",
    " \t \n ",
    "a\u3000b\u3000\u3000c",
    "no\u00a0break\u00a0space",
    "line\u2028separator\u2029paragraph",
    "x\u000by\u000cz",
    "next\u0085line",
    "thin\u2009space and\u200bzero width",
    "word \n\n\n  next",
    "  \r\n  ",
    "end with tab\t",
    "中文 空格  两个   三个",
    "中文\n换行\n\n两次",
]

SPECIAL = [
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>user\nSummarize this.<|im_end|>",
    "<|endoftext|>",
    "text<|endoftext|>more text",
    "<|im_end|><|im_end|>",
    "before <|im_start|> after",
    "before  <|im_start|>  after",
    "<|im_start|",
    "<|im_start|><|im_end",
    "<tool_call>{\"name\": \"f\"}</tool_call>",
    "<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>",
    "<|vision_start|><|image_pad|><|vision_end|>",
    "</s> end of sentence",
    "a</s>b",
    "<s>not special</s>",
    "[PAD151665]",
    "<|object_ref_start|>cat<|object_ref_end|><|box_start|>(1,2)<|box_end|>",
    "<|im_start|>assistant\n总结：今天天气很好。<|im_end|>",
]

SPECIAL_AS_TEXT = [
    "<|im_start|>user\nhi<|im_end|>",
    "<|endoftext|>",
    "a</s>b",
    "<tool_call>x</tool_call>",
    "plain text without specials",
]

MISC = [
    "",
    "\u0301",
    "\u0301\u0302\u0303",
    "e\u0301",
    "a\u0308o\u0308u\u0308",
    "\u200d",
    "\ufeffBOM at start",
    "\ufffd replacement",
    "\U0010ffff",
    "\U000e0001tag",
    "\x00nul",
    "\x7f del",
    "\x1b[31mred\x1b[0m",
    "'",
    "''",
    "'''",
    "a'",
    "x's",
    "ｶﾀｶﾅ",
]

OTHER_SCRIPTS = [
    "日本語のテキストです。ひらがなとカタカナ。",
    "한국어 문장입니다.",
    "Привет, как дела?",
    "مرحبا بالعالم",
    "שלום עולם",
    "नमस्ते दुनिया",
    "สวัสดีครับ",
    "Γειά σου Κόσμε",
    "Tiếng Việt có dấu",
    "ᠮᠣᠩᠭᠣᠯ",
]


def fuzz(count, seed=20240509):
    """Random mixes of the characters the pre-tokenizer treats differently."""
    rng = random.Random(seed)
    pools = [
        " ", "  ", "\t", "\n", "\r\n", "\u3000", "'", "'s", "'LL", "a", "Z", "word", "中", "文字", "。",
        "，", "！", "“", "”", "1", "23", "５", "Ⅻ", ".", "...", "-", "_", "(", ")", "{", "}", "😀", "👨‍👩‍👧",
        "🇨🇳", "\u0301", "é", "ß", "к", "ا", "<|im_end|>", "<|im_start|>", "<tool_call>", "</s>", "$", "%",
        "#", "@", "\\", "/", "\u00a0", "\u200b", "~",
    ]
    out = []
    for _ in range(count):
        out.append("".join(rng.choice(pools) for _ in range(rng.randint(1, 14))))
    return out


def fuzz_code_points(count, seed=151936):
    """Random code points from all over Unicode (letters, marks, digits, spaces, symbols,
    private use, unassigned), to catch character-class differences."""
    rng = random.Random(seed)
    ranges = [(0x20, 0x7E), (0x80, 0x2FF), (0x300, 0x36F), (0x370, 0x1FFF), (0x2000, 0x206F), (0x2070, 0x2FFF),
              (0x3000, 0x303F), (0x3040, 0x9FFF), (0xA000, 0xD7FF), (0xE000, 0xFFFD), (0x10000, 0x1FFFF),
              (0x20000, 0x3134F), (0xE0000, 0xE01EF), (0xF0000, 0x10FFFF)]
    out = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.25:
                chars.append(rng.choice([" ", "  ", "\n", "\t", "'", "s", "1"]))
            else:
                lo, hi = rng.choice(ranges)
                chars.append(chr(rng.randint(lo, hi)))
        out.append("".join(chars))
    return out


def long_article(min_chars=3000, seed=7):
    """A ~3,000-character Chinese text made of the sentences above, for the timing check."""
    rng = random.Random(seed)
    sentences = CHINESE[:30] + CLASSICAL_PUNCT[:13] + MIXED
    parts, size = [], 0
    while size < min_chars:
        paragraph = "".join(rng.sample(sentences, 6))
        parts.append(paragraph)
        size += len(paragraph) + 1
    return "\n".join(parts)


def corpus():
    entries = []
    for group in (CHINESE, CLASSICAL_PUNCT, FULL_WIDTH, ENGLISH, NUMBERS, CODE, URLS, MIXED, EMOJI, WHITESPACE,
                  SPECIAL, MISC, OTHER_SCRIPTS, fuzz(80), fuzz_code_points(80)):
        entries += [(text, True) for text in group]
    entries += [(text, False) for text in SPECIAL_AS_TEXT]
    entries.append((long_article(), True))
    return entries


def main():
    from llama_cpp import Llama, llama_cpp

    model = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("QINGYU_GGUF", DEFAULT_MODEL))
    llm = Llama(model_path=str(model), vocab_only=True, verbose=False)
    lines = []
    for text, special in corpus():
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=special)
        entry = {"text": text, "ids": ids}
        if not special:
            entry["parse_special"] = False
        lines.append(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
    OUT.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")
    print(f"wrote {len(lines)} entries to {OUT} ({OUT.stat().st_size} bytes)")

    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
    eog = [i for i in range(n_vocab) if llama_cpp.llama_vocab_is_eog(vocab, i)]
    print("end-of-generation ids:", eog)


if __name__ == "__main__":
    main()
