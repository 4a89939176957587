<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>EngineMessage</name>
    <message>
        <location filename="../../app/engine_messages.py" line="22" />
        <source>the {what} is {count} characters; attnlab takes at most {limit}</source>
        <translation>{what}有 {count} 个字符；attnlab 最多接受 {limit} 个</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="23" />
        <source>the {what} is empty: type some text first</source>
        <translation>{what}是空的：请先输入一些文字</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="24" />
        <source>the {what} is {count} tokens but {model} accepts at most {limit}: it is refused, not truncated; shorten it</source>
        <translation>{what}有 {count} 个词元，但 {model} 最多接受 {limit} 个：它被拒绝，而不是被截断；请缩短它</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="26" />
        <source>{what} position(s) {bad} out of range: the input has {length} tokens ({range})</source>
        <translation>{what}的位置 {bad} 超出范围：输入有 {length} 个词元（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="28" />
        <source>cannot ablate {stack} layer {layer} head {head}: this model's {stack2} stack has {layers} layers × {heads} heads</source>
        <translation>无法消融{stack}第 {layer} 层第 {head} 个头：这个模型的{stack2}堆栈有 {layers} 层 × {heads} 个头</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="30" />
        <source>nothing to explain: analyse a text first</source>
        <translation>没有可解释的内容：请先分析一段文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="31" />
        <source>{model} is an encoder: it has no decoder tokens to knock out</source>
        <translation>{model} 是编码器：它没有可屏蔽的解码器词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="32" />
        <source>{model} has no masked-LM head, so it cannot fill [MASK]: use knock-out masking instead</source>
        <translation>{model} 没有掩码语言模型头，所以无法填充 [MASK]：请改用屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="34" />
        <source>{model} has no language-model head, so it cannot generate</source>
        <translation>{model} 没有语言模型头，所以无法生成</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="35" />
        <source>nothing to continue: give a prompt first</source>
        <translation>没有可续写的内容：请先给出提示</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="36" />
        <source>generation has ended ({reason}): undo or change the text to go on</source>
        <translation>生成已结束（{reason}）：撤销或修改文本才能继续</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="37" />
        <source>token id {id} is not in the vocabulary ({range})</source>
        <translation>词元 id {id} 不在词表中（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="38" />
        <source>nothing to undo: no token has been generated since the prompt</source>
        <translation>没有可撤销的内容：提示之后还没有生成任何词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="39" />
        <source>nothing to explain: give a prompt first</source>
        <translation>没有可解释的内容：请先给出提示</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="40" />
        <source>{model} is not a masked language model, so it cannot fill [MASK]: knock the token out of attention instead</source>
        <translation>{model} 不是掩码语言模型，所以无法填充 [MASK]：请改为把这个词元从注意力中屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="42" />
        <source>the source is empty: type the text to transform first</source>
        <translation>源文本是空的：请先输入要转换的文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="43" />
        <source>the prompt is empty: type some text first</source>
        <translation>提示是空的：请先输入一些文字</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="44" />
        <source>{model} is a decoder with no encoder: its knock-outs are plain knock-outs of the decoder's tokens</source>
        <translation>{model} 是没有编码器的解码器：它的屏蔽就是对解码器词元的普通屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="46" />
        <source>a replayed token id is not in the vocabulary ({range})</source>
        <translation>重放的词元 id 不在词表中（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="48" />
        <source>the {what} has an invalid character at position {position} ({code}, not valid Unicode: bytes that are not UTF-8?): retype it, or save the text as UTF-8</source>
        <translation>{what}在位置 {position} 有一个无效字符（{code}，不是有效的 Unicode：也许是非 UTF-8 的字节？）：请重新输入，或把文本保存为 UTF-8</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="50" />
        <source>{what} needs {needed} GiB but only {free} GiB is free: use a shorter text, fewer tokens to generate, or a smaller model</source>
        <translation>{what}需要 {needed} GiB，但只有 {free} GiB 可用：请使用更短的文本、更少的生成词元，或更小的模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="53" />
        <source>No model given: pick one from the catalog or open a model folder.</source>
        <translation>没有指定模型：请从列表中选择一个，或打开一个模型文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="54" />
        <source>{path} does not exist: pick an existing model folder or .gguf file.</source>
        <translation>{path} 不存在：请选择一个已有的模型文件夹或 .gguf 文件。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="55" />
        <source>Unknown model {spec}: use a model folder, a .gguf file, a hub id (org/name), or one of the available models: {names}.</source>
        <translation>未知模型 {spec}：请使用模型文件夹、.gguf 文件、hub id（组织/名称），或以下可用模型之一：{names}。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="57" />
        <source>{path} is a file: pick a model folder (with a config.json) or a .gguf file.</source>
        <translation>{path} 是一个文件：请选择一个模型文件夹（含 config.json）或一个 .gguf 文件。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="59" />
        <source>{path} is not a model folder: it has no config.json. Pick the folder that holds config.json and the weights (or a .gguf file).</source>
        <translation>{path} 不是模型文件夹：其中没有 config.json。请选择包含 config.json 和权重的文件夹（或一个 .gguf 文件）。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="62" />
        <source>temperature must be &gt; 0 when sampling, got {value}: use greedy for argmax</source>
        <translation>采样时温度必须 &gt; 0，现在是 {value}：要取最大值请用贪心</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="63" />
        <source>top-p must be in (0, 1], got {value}</source>
        <translation>top-p 必须在 (0, 1] 之内，现在是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="64" />
        <source>top-k must be ≥ 0 (0 keeps every token), got {value}</source>
        <translation>top-k 必须 ≥ 0（0 表示保留所有词元），现在是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="65" />
        <source>the number of tokens to generate must be ≥ 1, got {value}</source>
        <translation>要生成的词元数必须 ≥ 1，现在是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="66" />
        <source>the number of candidates must be ≥ 1, got {value}</source>
        <translation>候选数必须 ≥ 1，现在是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="68" />
        <source>finding {spec}</source>
        <translation>正在查找 {spec}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="69" />
        <source>loading weights of {model} ({kind})</source>
        <translation>正在加载 {model} 的权重（{kind}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="70" />
        <source>loaded {model} in {seconds} s</source>
        <translation>已加载 {model}，用时 {seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="71" />
        <source>using the converted copy of {file}</source>
        <translation>使用 {file} 的转换副本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="72" />
        <source>converted {file}</source>
        <translation>已转换 {file}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="73" />
        <source>reading the tokenizer from {file} (about 15 s)</source>
        <translation>正在从 {file} 读取分词器（约 15 秒）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="74" />
        <source>dequantising the weights of {file} (about 30 s)</source>
        <translation>正在反量化 {file} 的权重（约 30 秒）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="75" />
        <source>writing model.safetensors (float32)</source>
        <translation>正在写入 model.safetensors（float32）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="76" />
        <source>checking the converted model against the GGUF</source>
        <translation>正在对照 GGUF 检查转换后的模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="81" />
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="82" />
        <source>source</source>
        <translation>源文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="83" />
        <source>prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="84" />
        <source>decoder prefix</source>
        <translation>解码器前缀</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="85" />
        <source>mask</source>
        <translation>遮盖</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="86" />
        <source>knock-out</source>
        <translation>屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="87" />
        <source>decoder knock-out</source>
        <translation>解码器屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="88" />
        <source>eos</source>
        <translation>文本结束</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="89" />
        <source>max_length</source>
        <translation>最大长度</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="90" />
        <source>encoder</source>
        <translation>编码器</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="91" />
        <source>decoder</source>
        <translation>解码器</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="92" />
        <source>encoder-decoder</source>
        <translation>编码器-解码器</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="93" />
        <source>cross</source>
        <translation>交叉注意力</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <location filename="../../app/language_menu.py" line="18" />
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../app/language_menu.py" line="23" />
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <location filename="../../app/language_menu.py" line="28" />
        <source>Takes effect when attnlab restarts</source>
        <translation>attnlab 重启后生效</translation>
    </message>
    <message>
        <location filename="../../app/language_menu.py" line="36" />
        <source>The language changes when attnlab restarts.</source>
        <translation>语言将在 attnlab 重启后更改。</translation>
    </message>
</context>
<context>
    <name>LessonController</name>
    <message>
        <location filename="../../app/lessons.py" line="194" />
        <source>Load a masked language model (tiny-bert) and type a sentence first.</source>
        <translation>请先加载一个掩码语言模型（tiny-bert）并输入一个句子。</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="207" />
        <source>→ [MASK]</source>
        <translation>→ [MASK]</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="208" />
        <source>→ random token “%1”</source>
        <translation>→ 随机词元“%1”</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="209" />
        <source>→ left unchanged</source>
        <translation>→ 保持不变</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="212" />
        <source>Chosen %1 of %2 tokens; the model must recover each original:</source>
        <translation>从 %2 个词元中选出了 %1 个；模型必须还原每一个原词元：</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="215" />
        <source>The text box now holds this example; press again for another one of your sentence.</source>
        <translation>文本框里现在是这个样本；再按一次，可以为你的句子再抽取一个。</translation>
    </message>
</context>
<context>
    <name>LessonPanel</name>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="88" />
        <source>Lesson</source>
        <translation>课程</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="89" />
        <source>Try this</source>
        <translation>试一试</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="90" />
        <source>← Previous</source>
        <translation>← 上一课</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="91" />
        <source>The previous lesson</source>
        <translation>上一课</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="92" />
        <source>Next →</source>
        <translation>下一课 →</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="93" />
        <source>The next lesson</source>
        <translation>下一课</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="99" />
        <source>Lesson %1 of %2</source>
        <translation>第 %1 课，共 %2 课</translation>
    </message>
</context>
</TS>