<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AttentionPanel</name>
    <message>
        <location filename="../../app/attention_panel.py" line="218"/>
        <location filename="../../app/attention_panel.py" line="557"/>
        <source>{0} · layer {1}</source>
        <translation>{0} · 第 {1} 层</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="233"/>
        <source>difference to the reference{0} · {1} · now − reference</source>
        <translation>与参照的差异{0} · {1} · 现在 − 参照</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="246"/>
        <source>{0} · weights (measuring contributions…)</source>
        <translation>{0} · 权重（正在测量贡献…）</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="253"/>
        <source>{0} · row share of ‖f‖</source>
        <translation>{0} · ‖f‖ 的行内占比</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="254"/>
        <source>{0} · ‖f‖ = α·‖v W_O‖ (1 = {1:.3g})</source>
        <translation>{0} · ‖f‖ = α·‖v W_O‖（1 = {1:.3g}）</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="284"/>
        <source>difference to the reference · {0}</source>
        <translation>与参照的差异 · {0}</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="300"/>
        <source>contributions ‖f‖ · {0}</source>
        <translation>贡献 ‖f‖ · {0}</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="310"/>
        <location filename="../../app/attention_panel.py" line="612"/>
        <source>all layers × heads · {0}</source>
        <translation>所有层 × 头 · {0}</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="312"/>
        <location filename="../../app/attention_panel.py" line="614"/>
        <source>heads of layer {0} · {1}</source>
        <translation>第 {0} 层的头 · {1}</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="329"/>
        <source>{0!r} #{1} → {2!r} #{3} · {4} layer {5}</source>
        <translation>{0!r} #{1} → {2!r} #{3} · {4} 第 {5} 层</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="405"/>
        <source>head scores are for self-attention: pick the encoder or decoder stack</source>
        <translation>头评分只适用于自注意力：请选择编码器或解码器堆栈</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="411"/>
        <source>could not score the heads (see the message)</source>
        <translation>无法为各头评分（见消息）</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="411"/>
        <source>scoring…</source>
        <translation>正在评分…</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="414"/>
        <source>on the probe: {0} random tokens, twice</source>
        <translation>基于探针：{0} 个随机词元，重复两次</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="416"/>
        <source>on {0} tokens</source>
        <translation>基于 {0} 个词元</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="474"/>
        <source>the induction probe failed (see the message)</source>
        <translation>归纳探针失败了（见消息）</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="495"/>
        <source>rollout is for self-attention: pick the encoder or decoder stack</source>
        <translation>注意力展开只适用于自注意力：请选择编码器或解码器堆栈</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="506"/>
        <source>could not compute the rollout</source>
        <translation>无法计算注意力展开</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="506"/>
        <source>computing rollout…</source>
        <translation>正在计算注意力展开…</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="512"/>
        <source> · updating…</source>
        <translation> · 正在更新…</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="517"/>
        <source>rollout through layer {0} · {1}{2}</source>
        <translation>展开到第 {0} 层 · {1}{2}</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="545"/>
        <source>Not available for a long document: its overview keeps each head&apos;s largest weights, and their mean is not the mean&apos;s largest weight. Pick one head.</source>
        <translation>长文档不可用：其概览只保留每个头的最大权重，这些最大值的平均并不是平均的最大权重。请选择一个头。</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="565"/>
        <source>rollout is not available for a long document: it multiplies every exact weight of every layer. Turn rollout off (View menu) or shorten the text</source>
        <translation>长文档不可用注意力展开（rollout）：它要乘起每一层的全部精确权重。请（在“视图”菜单）关闭展开，或缩短文本</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="576"/>
        <source>the mean of heads is not available for a long document: its overview keeps each head&apos;s largest weights. Untick &quot;mean&quot; and pick a head</source>
        <translation>长文档不可用各头平均：其概览只保留每个头的最大权重。请取消勾选“平均”并选择一个头</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="585"/>
        <source>no difference to the reference for a long document · {0}</source>
        <translation>长文档无法与参考运行做差 · {0}</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="621"/>
        <source>{0} · max of {1}×{2} tokens</source>
        <translation>{0} · {1}×{2} 个词元的最大值</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="629"/>
        <source>#{0} → #{1} · layer {2}</source>
        <translation>#{0} → #{1} · 第 {2} 层</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="631"/>
        <source>The formula inspector runs the whole text again without the cache, holding every weight of a layer at once: too much memory for a long document ({0} tokens). The exact weight is in the heatmap when zoomed in; shorten the text to inspect how it was computed.</source>
        <translation>公式检查器会不用缓存把整段文本重新运行一遍，同时保存一层的全部权重：对长文档（{0} 个词元）内存不够。放大热图即可看到精确权重；缩短文本才能查看它是如何计算的。</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="223"/>
        <location filename="../../app/attention_panel.py" line="344"/>
        <source>{0} · mean of heads</source>
        <translation>{0} · 各头平均</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="55"/>
        <source> · only the first {2} tokens compared (lengths differ: {0} now, {1} in the reference)</source>
        <translation> · 只比较了前 {2} 个词元（长度不同：现在 {0} 个，参照中 {1} 个）</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="335"/>
        <source>{0} · rollout</source>
        <translation>{0} · 注意力展开</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="337"/>
        <source>Rollout multiplies the mean attention of every layer up to this one (with the residual stream): no single head computed it. Turn rollout off (View menu) and click a cell of one head.</source>
        <translation>注意力展开把直到这一层的每一层的平均注意力（加上残差流）相乘：它不是某一个头算出来的。请关闭注意力展开（视图菜单），然后点击某一个头的格子。</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="346"/>
        <source>The mean of heads has no single head and so no formula: untick &quot;mean&quot; and click a cell of one head.</source>
        <translation>各头平均不对应某一个头，因此没有公式：取消勾选“平均”，然后点击某一个头的格子。</translation>
    </message>
    <message>
        <location filename="../../app/attention_panel.py" line="226"/>
        <location filename="../../app/attention_panel.py" line="352"/>
        <location filename="../../app/attention_panel.py" line="582"/>
        <source>{0} · head {1}</source>
        <translation>{0} · 头 {1}</translation>
    </message>
</context>
<context>
    <name>AttentionPicker</name>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="27"/>
        <source>Which attention: the encoder&apos;s, the decoder&apos;s, or the decoder&apos;s cross-attention to the encoder</source>
        <translation>显示哪种注意力：编码器的、解码器的，或解码器对编码器的交叉注意力</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="31"/>
        <source>The layer shown (PageUp/PageDown in the heatmap or the head grid)</source>
        <translation>显示的层（在热力图或头网格中按 PageUp/PageDown）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="34"/>
        <source>The head shown in the large heatmap (or click a thumbnail in the head grid)</source>
        <translation>大热力图中显示的头（或点击头网格中的缩略图）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="35"/>
        <source>mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="37"/>
        <source>Show the mean over the layer&apos;s heads</source>
        <translation>显示该层各头的平均</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="38"/>
        <source>all layers</source>
        <translation>所有层</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="40"/>
        <source>Head grid: every layer × head instead of one layer&apos;s heads</source>
        <translation>头网格：显示所有层 × 头，而不只是一层的头</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="47"/>
        <source>Colours of the large heatmap: linear; log (10⁻⁴ darkest … 1 brightest: small weights become visible); per row (each query&apos;s strongest key is brightest); and whether to hide the first token. Hover always shows the true weight.</source>
        <translation>大热力图的配色：线性；对数（10⁻⁴ 最暗 … 1 最亮：小权重也能看见）；按行（每个查询最强的键最亮）；以及是否隐藏第一个词元。悬停时总是显示真实权重。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="56"/>
        <source>{0} colours</source>
        <translation>{0}配色</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="63"/>
        <source>hide the first token</source>
        <translation>隐藏第一个词元</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="68"/>
        <source>Many models put most of each row&apos;s weight on the first token: hide it and renormalise each row over the other keys; the title says how much weight was hidden.</source>
        <translation>许多模型把每行的大部分权重放在第一个词元上：隐藏它，并在其余的键上重新归一化每一行；标题会说明隐藏了多少权重。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="75"/>
        <source>stack</source>
        <translation>堆栈</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="81"/>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="83"/>
        <source>head</source>
        <translation>头</translation>
    </message>
    <message>
        <location filename="../../app/widgets/attention_picker.py" line="148"/>
        <source> · no 1st</source>
        <translation> · 无首词元</translation>
    </message>
</context>
<context>
    <name>BranchList</name>
    <message>
        <location filename="../../app/widgets/branch_list.py" line="33"/>
        <source>Branches</source>
        <translation>分支</translation>
    </message>
    <message>
        <location filename="../../app/widgets/branch_list.py" line="34"/>
        <location filename="../../app/widgets/branch_list.py" line="53"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../app/widgets/branch_list.py" line="37"/>
        <source>Take the current branch&apos;s next token again ({0})</source>
        <translation>再次取当前分支的下一个词元（{0}）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/branch_list.py" line="44"/>
        <source>Each alternative you took is a branch: double-click to switch, F2 to rename, right-click to delete</source>
        <translation>你选过的每个候选都是一个分支：双击切换，F2 重命名，右键删除</translation>
    </message>
    <message>
        <location filename="../../app/widgets/branch_list.py" line="108"/>
        <source>Switch to this branch</source>
        <translation>切换到这个分支</translation>
    </message>
    <message>
        <location filename="../../app/widgets/branch_list.py" line="109"/>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../../app/widgets/branch_list.py" line="110"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/widgets/branch_list.py" line="111"/>
        <source>Compare with the branch shown</source>
        <translation>与显示的分支比较</translation>
    </message>
    <message>
        <location filename="../../app/widgets/branch_list.py" line="115"/>
        <source>Pin the branch shown as the reference, switch to this one and show the difference (Explain the prediction ▸ Compare to a reference)</source>
        <translation>把显示的分支固定为参照，切换到这个分支并显示差异（解释预测 ▸ 与参照比较）</translation>
    </message>
</context>
<context>
    <name>Branches</name>
    <message>
        <location filename="../../app/branch_actions.py" line="26"/>
        <source>main</source>
        <translation>主分支</translation>
    </message>
    <message>
        <location filename="../../app/branch_actions.py" line="26"/>
        <source>branch {0}</source>
        <translation>分支 {0}</translation>
    </message>
    <message>
        <location filename="../../app/branch_actions.py" line="103"/>
        <source>{0} tokens: {1}{2}</source>
        <translation>{0} 个词元：{1}{2}</translation>
    </message>
    <message>
        <location filename="../../app/branch_actions.py" line="127"/>
        <source>Switched to {0}</source>
        <translation>已切换到 {0}</translation>
    </message>
    <message>
        <location filename="../../app/branch_actions.py" line="155"/>
        <source>This is the branch shown: switch to another branch before deleting it</source>
        <translation>这是正在显示的分支：请先切换到另一个分支，再删除它</translation>
    </message>
</context>
<context>
    <name>CandidatesTable</name>
    <message>
        <location filename="../../app/widgets/candidates.py" line="29"/>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <location filename="../../app/widgets/candidates.py" line="30"/>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <location filename="../../app/widgets/candidates.py" line="30"/>
        <source>The probability now, under the current masks</source>
        <translation>当前遮盖下现在的概率</translation>
    </message>
    <message>
        <location filename="../../app/widgets/candidates.py" line="32"/>
        <source>when generated</source>
        <translation>生成时</translation>
    </message>
    <message>
        <location filename="../../app/widgets/candidates.py" line="33"/>
        <source>The probability when the token was generated (shown when masks changed it since)</source>
        <translation>这个词元生成时的概率（遮盖改变了它时显示）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/candidates.py" line="53"/>
        <location filename="../../app/widgets/candidates.py" line="61"/>
        <source>Double-click a token to take it instead</source>
        <translation>双击一个词元，改用它</translation>
    </message>
    <message>
        <location filename="../../app/widgets/candidates.py" line="65"/>
        <source>The candidates of token #{0}, now; double-click one to go back there and take it (the tokens after it are undone)</source>
        <translation>词元 #{0} 现在的候选；双击其中一个，回到那里改用它（其后的词元会被撤销）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/candidates.py" line="112"/>
        <source>p = {0:.1%} now; not among the reference&apos;s top candidates here</source>
        <translation>现在 p = {0:.1%}；在参照中不在这里的前几名候选之列</translation>
    </message>
    <message>
        <location filename="../../app/widgets/candidates.py" line="115"/>
        <source>p = {0:.1%} now, {1:.1%} in the reference</source>
        <translation>现在 p = {0:.1%}，参照中 {1:.1%}</translation>
    </message>
</context>
<context>
    <name>CauseDock</name>
    <message>
        <location filename="../../app/cause_dock.py" line="84"/>
        <source>Cause and effect</source>
        <translation>因果</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="91"/>
        <source>Attribution</source>
        <translation>归因</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="92"/>
        <source>Patching</source>
        <translation>激活修补</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="109"/>
        <source>The token whose log-probability is explained (the current candidates)</source>
        <translation>要解释其对数概率的词元（当前的候选）</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="111"/>
        <source>pad baseline</source>
        <translation>填充基线</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="112"/>
        <source>zero baseline</source>
        <translation>零基线</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="114"/>
        <source>Integrated gradients start from this input: the pad token everywhere, or zero embeddings</source>
        <translation>积分梯度从这个输入出发：每个位置都是填充词元，或零嵌入</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="117"/>
        <source>at most </source>
        <translation>至多 </translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="118"/>
        <source> steps</source>
        <translation> 步</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="120"/>
        <source>Integrated gradients start at 32 steps and double until the completeness error is below 5%</source>
        <translation>积分梯度从 32 步开始，翻倍直到完备性误差低于 5%</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="122"/>
        <source>Compute</source>
        <translation>计算</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="124"/>
        <source>Score every input token by gradient × input and integrated gradients for the target</source>
        <translation>按梯度 × 输入和积分梯度为每个输入词元对目标打分</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="127"/>
        <source>Target:</source>
        <translation>目标：</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="136"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="137"/>
        <source>token</source>
        <translation>词元</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="138"/>
        <location filename="../../app/cause_dock.py" line="151"/>
        <source>grad × input</source>
        <translation>梯度 × 输入</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="139"/>
        <location filename="../../app/cause_dock.py" line="150"/>
        <source>integrated gradients</source>
        <translation>积分梯度</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="140"/>
        <source>rollout row</source>
        <translation>注意力展开的行</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="141"/>
        <source>last layer mean</source>
        <translation>最后一层均值</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="148"/>
        <source>Colour tokens by</source>
        <translation>按此为词元着色</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="152"/>
        <source>Colour the token strip by this attribution (blue &lt; 0 &lt; red)</source>
        <translation>按这个归因为词元条着色（蓝 &lt; 0 &lt; 红）</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="153"/>
        <source>Which score colours the tokens</source>
        <translation>用哪个分数为词元着色</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="167"/>
        <source>corrupted text (as many tokens)</source>
        <translation>被破坏的文本（词元数相同）</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="168"/>
        <source>The corrupted run&apos;s input: another text of as many tokens</source>
        <translation>被破坏运行的输入：词元数相同的另一段文本</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="170"/>
        <source>or positions to noise, e.g. 1,2</source>
        <translation>或要加噪声的位置，例如 1,2</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="173"/>
        <source>Or the positions whose embeddings get noise in the corrupted run (right-click a token ▸ Corrupt with…)</source>
        <translation>或在被破坏运行中给其嵌入加噪声的位置（右键点击词元 ▸ 用噪声破坏…）</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="178"/>
        <source>Gaussian noise on the chosen tokens&apos; embeddings, in the embeddings&apos; σ</source>
        <translation>加在所选词元嵌入上的高斯噪声，以嵌入的 σ 为单位</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="179"/>
        <source>Patch</source>
        <translation>修补</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="181"/>
        <source>Patch each layer and position of the clean run into the corrupted one and draw what it recovers</source>
        <translation>把干净运行的每一层、每个位置修补进被破坏的运行，并画出恢复了多少</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="184"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="185"/>
        <source>Stop patching; the maps keep the rows done so far</source>
        <translation>停止修补；图中保留已完成的行</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="202"/>
        <source>residual stream (layer × position)</source>
        <translation>残差流（层 × 位置）</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="203"/>
        <source>attention output (layer × position)</source>
        <translation>注意力输出（层 × 位置）</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="204"/>
        <source>MLP output (layer × position)</source>
        <translation>MLP 输出（层 × 位置）</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="205"/>
        <source>heads at the predicted position (layer × head)</source>
        <translation>预测位置上的各个头（层 × 头）</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="242"/>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="262"/>
        <source>Type a corrupted text of as many tokens, or the positions to noise (e.g. 1,2).</source>
        <translation>请输入词元数相同的被破坏文本，或要加噪声的位置（例如 1,2）。</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="317"/>
        <source> Out of date: compute again for the current input.</source>
        <translation> 已过期：请为当前输入重新计算。</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="328"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="346"/>
        <source>Attribution to {0!r}: integrated gradients took {1} steps, completeness error {2:.1%}.</source>
        <translation>对 {0!r} 的归因：积分梯度用了 {1} 步，完备性误差 {2:.1%}。</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="349"/>
        <source>Attribution to {0!r}: {1} steps did not bring the completeness error below 5% (it is {2:.1%}): raise the step cap.</source>
        <translation>对 {0!r} 的归因：{1} 步未能使完备性误差低于 5%（现为 {2:.1%}）：请提高步数上限。</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="353"/>
        <source>Colour tokens by: attribution to {0!r}</source>
        <translation>为词元着色：对 {0!r} 的归因</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="407"/>
        <source>Recovered share of log p({0!r}): clean {1:.3f}, corrupted {2:.3f}; {3} of {4} patched runs.</source>
        <translation>log p({0!r}) 恢复的比例：干净运行 {1:.3f}，被破坏运行 {2:.3f}；已完成 {3} / {4} 次修补运行。</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="414"/>
        <source>head {0}</source>
        <translation>头 {0}</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="414"/>
        <source>position {0}</source>
        <translation>位置 {0}</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="415"/>
        <source>not computed yet</source>
        <translation>尚未计算</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="416"/>
        <source>layer {0}, {1}: {2} · click: this patched run&apos;s candidates</source>
        <translation>第 {0} 层，{1}：{2} · 点击：这次修补运行的候选</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="420"/>
        <source>Patched run ({0}, layer {1}, {2}): recovered share {3:.3f}</source>
        <translation>修补运行（{0}，第 {1} 层，{2}）：恢复比例 {3:.3f}</translation>
    </message>
</context>
<context>
    <name>Consent</name>
    <message>
        <location filename="../../app/consent.py" line="111"/>
        <source>runs its own code (allowed for this model)</source>
        <translation>运行模型自带的代码（已对此模型允许）</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="112"/>
        <source>pickled weights (allowed for this model)</source>
        <translation>pickle 权重（已对此模型允许）</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="114"/>
        <source>partly random: {0} weights missing or mismatched</source>
        <translation>部分随机：{0} 个权重缺失或不匹配</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="117"/>
        <source>Run this model&apos;s own code?</source>
        <translation>运行此模型自带的代码吗？</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="118"/>
        <source>{0} ships Python code that loading it would run, with your permissions. Allow it only if you trust where this model came from. The permission is for this model only, until attnlab closes.</source>
        <translation>{0} 自带 Python 代码，加载它就会以你的权限运行这些代码。只有在你信任此模型的来源时才允许。此许可只对这个模型有效，直到 attnlab 关闭。</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="123"/>
        <source>Run its code</source>
        <translation>运行其代码</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="126"/>
        <source>Read pickled weights?</source>
        <translation>读取 pickle 权重吗？</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="127"/>
        <source>{0} has only pickled weights, which can run arbitrary code when read. Allow it only if you trust where this model came from. The permission is for this model only, until attnlab closes.</source>
        <translation>{0} 只有 pickle 格式的权重，读取时可能运行任意代码。只有在你信任此模型的来源时才允许。此许可只对这个模型有效，直到 attnlab 关闭。</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="132"/>
        <source>Read them</source>
        <translation>读取</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="135"/>
        <source>Load weights that do not match?</source>
        <translation>加载不匹配的权重吗？</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="136"/>
        <source>The weights of {0} do not match its architecture. Loading it anyway fills the missing ones with random numbers: everything it shows is then partly random, and the window says so.</source>
        <translation>{0} 的权重与其架构不匹配。仍然加载会用随机数填充缺失的权重：它显示的一切都将部分随机，窗口会标明这一点。</translation>
    </message>
    <message>
        <location filename="../../app/consent.py" line="141"/>
        <source>Load anyway</source>
        <translation>仍然加载</translation>
    </message>
</context>
<context>
    <name>ContributionMode</name>
    <message>
        <location filename="../../app/contribution_mode.py" line="38"/>
        <source>weights α</source>
        <translation>权重 α</translation>
    </message>
    <message>
        <location filename="../../app/contribution_mode.py" line="39"/>
        <source>contribution ‖f‖</source>
        <translation>贡献 ‖f‖</translation>
    </message>
    <message>
        <location filename="../../app/contribution_mode.py" line="40"/>
        <source>row share of ‖f‖</source>
        <translation>‖f‖ 的行内占比</translation>
    </message>
    <message>
        <location filename="../../app/contribution_mode.py" line="43"/>
        <source>What the colours show: the attention weight α_ij (where the head looks), or what key j moves into query i, ‖f_ij‖ = α_ij·‖v_j W_Oʰ‖ (scaled to the largest shown), or its share of the row. A first token with much weight but a tiny value fades in the contribution views.</source>
        <translation>颜色显示的内容：注意力权重 α（头看向哪里），或键 j 向查询 i 搬运的量 ‖f‖ = α·‖v_j W_Oʰ‖（以所示最大值为 1），或它在该行中的占比。权重很大但值向量很小的首个词元在贡献视图中会变淡。</translation>
    </message>
</context>
<context>
    <name>DlaView</name>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="40"/>
        <source>Compare with another candidate: the map then shows logit differences</source>
        <translation>与另一个候选词比较：图中随后显示 logit 之差</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="41"/>
        <source>Compute</source>
        <translation>计算</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="44"/>
        <source>Attribute the predicted token&apos;s logit to every head, MLP and the embeddings</source>
        <translation>把预测词元的 logit 归因到每个头、每个 MLP 和嵌入</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="47"/>
        <source>Which heads write the predicted token: press Compute.</source>
        <translation>哪些头写出了预测的词元：请按“计算”。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="58"/>
        <source>versus</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="71"/>
        <source>(no alternative: the logit)</source>
        <translation>（无对比词：logit 本身）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="80"/>
        <source> Out of date: Compute again for the current input.</source>
        <translation> 已过时：请为当前输入重新计算。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="89"/>
        <source>MLP</source>
        <translation>前馈层</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="100"/>
        <source>layer {0} head {1}: {2:+.4f} (click to ablate or restore)</source>
        <translation>第 {0} 层 第 {1} 头：{2:+.4f}（单击以消融或恢复）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="104"/>
        <source>layer {0} MLP: {1:+.4f}</source>
        <translation>第 {0} 层前馈层：{1:+.4f}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="109"/>
        <source>{0} − {1}</source>
        <translation>{0} − {1}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="113"/>
        <source>{0} at position {1}: logit {2:.3f} = heads {3:+.3f} + MLPs {4:+.3f} + embeddings {5:+.3f} + biases {6:+.3f}{7} (rest {8:.1e})</source>
        <translation>位置 {1} 的 {0}：logit {2:.3f} = 头 {3:+.3f} + 前馈层 {4:+.3f} + 嵌入 {5:+.3f} + 偏置 {6:+.3f}{7}（余项 {8:.1e}）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/dla_view.py" line="123"/>
        <source> + cross-attention {0:+.3f}</source>
        <translation> + 交叉注意力 {0:+.3f}</translation>
    </message>
</context>
<context>
    <name>EngineMessage</name>
    <message>
        <location filename="../../app/engine_messages.py" line="23"/>
        <source>the {what} is {count} characters; attnlab takes at most {limit}</source>
        <translation>{what}有 {count} 个字符；attnlab 最多接受 {limit} 个</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="27"/>
        <source>the {what} is empty: type some text first</source>
        <translation>{what}是空的：请先输入一些文字</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="31"/>
        <source>the {what} is {count} tokens but {model} accepts at most {limit}: it is refused, not truncated; shorten it</source>
        <translation>{what}有 {count} 个词元，但 {model} 最多接受 {limit} 个：它被拒绝，而不是被截断；请缩短它</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="35"/>
        <source>{what} position(s) {bad} out of range: the input has {length} tokens ({range})</source>
        <translation>{what}的位置 {bad} 超出范围：输入有 {length} 个词元（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="56"/>
        <source>nothing to explain: analyse a text first</source>
        <translation>没有可解释的内容：请先分析一段文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="68"/>
        <source>{model} is an encoder: it has no decoder tokens to knock out</source>
        <translation>{model} 是编码器：它没有可屏蔽的解码器词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="72"/>
        <source>{model} has no masked-LM head, so it cannot fill [MASK]: use knock-out masking instead</source>
        <translation>{model} 没有掩码语言模型头，所以无法填充 [MASK]：请改用屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="76"/>
        <source>{model} has no language-model head, so it cannot generate</source>
        <translation>{model} 没有语言模型头，所以无法生成</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="80"/>
        <source>nothing to continue: give a prompt first</source>
        <translation>没有可续写的内容：请先给出提示</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="84"/>
        <source>generation has ended ({reason}): undo or change the text to go on</source>
        <translation>生成已结束（{reason}）：撤销或修改文本才能继续</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="88"/>
        <source>token id {id} is not in the vocabulary ({range})</source>
        <translation>词元 id {id} 不在词表中（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="92"/>
        <source>nothing to undo: no token has been generated since the prompt</source>
        <translation>没有可撤销的内容：提示之后还没有生成任何词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="60"/>
        <source>nothing to explain: give a prompt first</source>
        <translation>没有可解释的内容：请先给出提示</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="39"/>
        <source>cannot ablate {stack} layer {layer} head {head}: this model&apos;s {stack} stack has {layers} layers × {heads} heads</source>
        <translation>无法消融{stack}第 {layer} 层第 {head} 个头：这个模型的{stack}堆栈有 {layers} 层 × {heads} 个头</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="44"/>
        <source>{model} cannot knock tokens out: {reason}</source>
        <translation>{model} 无法屏蔽词元：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="48"/>
        <source>{model} cannot ablate heads: {reason}</source>
        <translation>{model} 无法消融注意力头：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="52"/>
        <source>{model} cannot explain a cell: {reason}</source>
        <translation>{model} 无法解释单元格：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="64"/>
        <source>{model} has no masked-LM head: it predicts nothing to explain</source>
        <translation>{model} 没有掩码语言模型头：它没有可解释的预测</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="96"/>
        <source>a region must be contiguous positions within {range}, got {queries} × {keys}</source>
        <translation>区域必须是 {range} 之内的连续位置，收到的是 {queries} × {keys}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="100"/>
        <source>{model} is not a masked language model, so it cannot fill [MASK]: knock the token out of attention instead</source>
        <translation>{model} 不是掩码语言模型，所以无法填充 [MASK]：请改为把这个词元从注意力中屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="104"/>
        <source>the source is empty: type the text to transform first</source>
        <translation>源文本是空的：请先输入要转换的文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="108"/>
        <source>the prompt is empty: type some text first</source>
        <translation>提示是空的：请先输入一些文字</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="112"/>
        <source>{model} is a decoder with no encoder: its knock-outs are plain knock-outs of the decoder&apos;s tokens</source>
        <translation>{model} 是没有编码器的解码器：它的屏蔽就是对解码器词元的普通屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="116"/>
        <source>a replayed token id is not in the vocabulary ({range})</source>
        <translation>重放的词元 id 不在词表中（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="120"/>
        <source>the {what} has an invalid character at position {position} ({code}, not valid Unicode: bytes that are not UTF-8?): retype it, or save the text as UTF-8</source>
        <translation>{what}在位置 {position} 有一个无效字符（{code}，不是有效的 Unicode：也许是非 UTF-8 的字节？）：请重新输入，或把文本保存为 UTF-8</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="125"/>
        <source>{what} needs {needed} GiB but only {free} GiB is free: use a shorter text, fewer tokens to generate, or a smaller model</source>
        <translation>{what}需要 {needed} GiB，但只有 {free} GiB 可用：请使用更短的文本、更少的生成词元，或更小的模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="130"/>
        <source>attention for {tokens} tokens</source>
        <translation>{tokens} 个词元的注意力</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="134"/>
        <source>long-document attention for {tokens} tokens</source>
        <translation>{tokens} 个词元的长文档注意力</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="138"/>
        <source>attention rollout of {tokens} tokens through {layers} layers</source>
        <translation>{tokens} 个词元经过 {layers} 层的注意力展开</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="142"/>
        <source>{what} over {tokens} tokens (the whole input in one forward)</source>
        <translation>{tokens} 个词元上的{what}（整个输入一次前向）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="146"/>
        <source>{exact}; {why}</source>
        <translation>{exact}；{why}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="170"/>
        <source>No model given: pick one from the catalog or open a model folder.</source>
        <translation>没有指定模型：请从列表中选择一个，或打开一个模型文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="174"/>
        <source>{path} does not exist: pick an existing model folder or .gguf file.</source>
        <translation>{path} 不存在：请选择一个已有的模型文件夹或 .gguf 文件。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="178"/>
        <source>Unknown model {spec}: use a model folder, a .gguf file, a hub id (org/name), or one of the available models: {names}.</source>
        <translation>未知模型 {spec}：请使用模型文件夹、.gguf 文件、hub id（组织/名称），或以下可用模型之一：{names}。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="183"/>
        <source>{path} is a file: pick a model folder (with a config.json) or a .gguf file.</source>
        <translation>{path} 是一个文件：请选择一个模型文件夹（含 config.json）或一个 .gguf 文件。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="187"/>
        <source>{path} is not a model folder: it has no config.json. Pick the folder that holds config.json and the weights (or a .gguf file).</source>
        <translation>{path} 不是模型文件夹：其中没有 config.json。请选择包含 config.json 和权重的文件夹（或一个 .gguf 文件）。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="150"/>
        <source>temperature must be &gt; 0 when sampling, got {value}: use greedy for argmax</source>
        <translation>采样时温度必须 &gt; 0，现在是 {value}：要取最大值请用贪心</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="154"/>
        <source>top-p must be in (0, 1], got {value}</source>
        <translation>top-p 必须在 (0, 1] 之内，现在是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="158"/>
        <source>top-k must be ≥ 0 (0 keeps every token), got {value}</source>
        <translation>top-k 必须 ≥ 0（0 表示保留所有词元），现在是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="162"/>
        <source>the number of tokens to generate must be ≥ 1, got {value}</source>
        <translation>要生成的词元数必须 ≥ 1，现在是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="166"/>
        <source>the number of candidates must be ≥ 1, got {value}</source>
        <translation>候选数必须 ≥ 1，现在是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="192"/>
        <source>{path} does not exist: only existing models go in the recent list.</source>
        <translation>{path} 不存在：最近列表里只放存在的模型。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="196"/>
        <source>unknown device {device}: use auto, cpu, cuda, cuda:N or mps</source>
        <translation>未知设备 {device}：请使用 auto、cpu、cuda、cuda:N 或 mps</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="200"/>
        <source>device &apos;cuda&apos; asked for but no CUDA GPU is available: use auto or cpu</source>
        <translation>要求使用设备 &apos;cuda&apos;，但没有可用的 CUDA GPU：请使用 auto 或 cpu</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="204"/>
        <source>device {device} does not exist: {count} CUDA GPU(s) found</source>
        <translation>设备 {device} 不存在：只找到 {count} 个 CUDA GPU</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="208"/>
        <source>device &apos;mps&apos; asked for but Metal is not available: use auto or cpu</source>
        <translation>要求使用设备 &apos;mps&apos;，但 Metal 不可用：请使用 auto 或 cpu</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="212"/>
        <source>unsupported device {device}: use auto, cpu, cuda, cuda:N or mps</source>
        <translation>不支持的设备 {device}：请使用 auto、cpu、cuda、cuda:N 或 mps</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="216"/>
        <source>threads must be ≥ 1, got {value}</source>
        <translation>线程数必须 ≥ 1，收到的是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="220"/>
        <source>unknown dtype {dtype}: use auto, {names}</source>
        <translation>未知数据类型 {dtype}：请使用 auto、{names}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="224"/>
        <source>{path} is not a model folder: it has no config.json</source>
        <translation>{path} 不是模型文件夹：其中没有 config.json</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="228"/>
        <source>{path} is corrupt ({error}): re-download or re-save the model</source>
        <translation>{path} 已损坏（{error}）：请重新下载或重新保存模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="232"/>
        <source>{path} is not a transformers config: it has no model_type</source>
        <translation>{path} 不是 transformers 配置：其中没有 model_type</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="236"/>
        <source>{path} has model_type {model_type}, which transformers {version} does not know: open a model of a supported architecture</source>
        <translation>{path} 的 model_type 是 {model_type}，transformers {version} 不认识它：请打开受支持架构的模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="241"/>
        <source>the config.json of {model} says {name} = {value}, but it must be at least 1: fix the file or re-save the model</source>
        <translation>{model} 的 config.json 写着 {name} = {value}，但它至少要为 1：请修正文件或重新保存模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="246"/>
        <source>{path} has only pickled weights ({files}), which can run arbitrary code when read: convert them to safetensors, or allow pickled weights for this model if you trust it</source>
        <translation>{path} 只有 pickle 格式的权重（{files}），读取时可能运行任意代码：请把它们转换为 safetensors，或在信任该模型时允许它使用 pickle 权重</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="252"/>
        <source>{path} has a config but no weights (*.safetensors)</source>
        <translation>{path} 有配置但没有权重（*.safetensors）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="256"/>
        <source>attnlab found no attention it can capture in {architecture}: its attention modules neither go through transformers&apos; AttentionInterface nor return their probabilities (output_attentions)</source>
        <translation>attnlab 在 {architecture} 中找不到可以捕获的注意力：它的注意力模块既不经过 transformers 的 AttentionInterface，也不返回注意力概率（output_attentions）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="262"/>
        <source>unknown device map {value}: use auto, or none for one device</source>
        <translation>未知设备映射 {value}：请使用 auto，或用 none 表示单一设备</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="266"/>
        <source>cannot read the config of {model}: {error}</source>
        <translation>无法读取 {model} 的配置：{error}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="270"/>
        <source>{model} does not fit in memory: pick a smaller model or a GPU</source>
        <translation>{model} 放不进内存：请选择更小的模型或使用 GPU</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="274"/>
        <source>cannot load {model}: {error}</source>
        <translation>无法加载 {model}：{error}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="278"/>
        <source>{model} loads but does not run ({error}): check its config.json</source>
        <translation>{model} 能加载但无法运行（{error}）：请检查它的 config.json</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="282"/>
        <source>{model} {why}: {advice}</source>
        <translation>{model} {why}：{advice}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="286"/>
        <source>needs about {weights} for its weights + {attention} for attention at {tokens} tokens, but there is only {ram} of free RAM</source>
        <translation>需要约 {weights} 存放权重，另需 {attention} 存放 {tokens} 个词元的注意力，但只有 {ram} 可用内存</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="291"/>
        <source>needs about {weights} for its weights + {attention} for attention at {tokens} tokens, but there is only {gpu} free on the GPU and {ram} of RAM</source>
        <translation>需要约 {weights} 存放权重，另需 {attention} 存放 {tokens} 个词元的注意力，但 GPU 上只有 {gpu} 可用、内存只有 {ram}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="296"/>
        <source>needs about {weights} for its weights + {attention} for attention at {tokens} tokens, but there is only {gpu} free on the GPU(s) + {ram} of RAM</source>
        <translation>需要约 {weights} 存放权重，另需 {attention} 存放 {tokens} 个词元的注意力，但 GPU 上只有 {gpu} 可用，加上内存 {ram}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="310"/>
        <source>{architecture}: attnlab&apos;s capture of this architecture&apos;s decoder attention does not yet match the model&apos;s own eager forward, so it is not opened (rather than showing numbers that may be wrong)</source>
        <translation>{architecture}：attnlab 对这个架构的解码器注意力的捕获还与模型自身的 eager 前向不一致，所以不打开它（而不是显示可能错误的数字）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="316"/>
        <source>{architecture} neither routes attention through transformers&apos; AttentionInterface nor returns its attention probabilities, so attnlab cannot capture it</source>
        <translation>{architecture} 既不通过 transformers 的 AttentionInterface 计算注意力，也不返回注意力概率，所以 attnlab 无法捕获它</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="321"/>
        <source>{architecture} pools its sequence between layers (fewer queries than keys), which attnlab&apos;s attention store cannot hold: open a model without pooling</source>
        <translation>{architecture} 在层与层之间池化序列（查询少于键），attnlab 的注意力存储无法容纳：请打开不做池化的模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="331"/>
        <source>knock-outs go through a 4D attention mask (query × key), and this architecture&apos;s attention takes none</source>
        <translation>屏蔽要通过四维注意力掩码（查询 × 键）实现，而这个架构的注意力不接受掩码</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="376"/>
        <source>{path} does not exist: pick an existing .gguf file.</source>
        <translation>{path} 不存在：请选择一个存在的 .gguf 文件。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="380"/>
        <source>{path} is not a .gguf file: pick a .gguf file or a model folder.</source>
        <translation>{path} 不是 .gguf 文件：请选择一个 .gguf 文件或模型文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="384"/>
        <source>Reading .gguf files needs the {package} package, which is not installed: pip install {package}</source>
        <translation>读取 .gguf 文件需要 {package} 包，但它没有安装：pip install {package}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="388"/>
        <source>Could not read {path} as a GGUF model ({error}). The file may be damaged, or its architecture is one transformers cannot read from GGUF: use a safetensors model folder instead.</source>
        <translation>无法把 {path} 读作 GGUF 模型（{error}）。文件可能已损坏，或者 transformers 无法从 GGUF 读取它的架构：请改用 safetensors 模型文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="394"/>
        <source>Could not write the converted model to {folder} ({error}). Free some disk space (about {mib} MiB) or set ATTNLAB_CACHE to another folder.</source>
        <translation>无法把转换后的模型写入 {folder}（{error}）。请腾出一些磁盘空间（约 {mib} MiB），或把 ATTNLAB_CACHE 设为另一个文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="399"/>
        <source>The converted model disagrees with the GGUF (largest logit difference {difference}); this transformers version converts this file badly: load a safetensors folder instead.</source>
        <translation>转换后的模型与 GGUF 不一致（最大 logit 差 {difference}）；这个 transformers 版本转换该文件有误：请改为加载 safetensors 文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="405"/>
        <source>{what} is defined for self-attention (encoder or decoder), not for {stack} attention</source>
        <translation>{what}是为自注意力（编码器或解码器）定义的，不适用于{stack}注意力</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="409"/>
        <source>no {stack} attention to analyse: this model has {stacks}</source>
        <translation>没有可分析的{stack}注意力：这个模型有 {stacks}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="413"/>
        <source>no {stack} attention to score yet: analyse a text first</source>
        <translation>还没有可评分的{stack}注意力：请先分析一段文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="417"/>
        <source>{stack} attention has {rows} positions but {ids} token ids were given</source>
        <translation>{stack}注意力有 {rows} 个位置，但给出了 {ids} 个词元 id</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="421"/>
        <source>head importance explains the filler of a [MASK] slot: mask a token first</source>
        <translation>头的重要性解释的是 [MASK] 位置的填充词：请先掩码一个词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="425"/>
        <source>{what} cancelled</source>
        <translation>{what}已取消</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="429"/>
        <source>{model} has no {stack} attention: its stacks are {stacks}</source>
        <translation>{model} 没有{stack}注意力：它的堆栈是 {stacks}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="433"/>
        <source>layer {layer} out of range: the {stack} stack has {layers} layers ({range})</source>
        <translation>第 {layer} 层超出范围：{stack}堆栈有 {layers} 层（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="437"/>
        <source>head {head} out of range: the {stack} stack has {heads} heads ({range})</source>
        <translation>第 {head} 个头超出范围：{stack}堆栈有 {heads} 个头（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="441"/>
        <source>query {query} out of range: the sequence has {queries} tokens ({range})</source>
        <translation>查询 {query} 超出范围：序列有 {queries} 个词元（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="445"/>
        <source>key {key} out of range: the {where} has {keys} tokens ({range})</source>
        <translation>键 {key} 超出范围：{where}有 {keys} 个词元（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="449"/>
        <source>cannot find the layer that holds {module}</source>
        <translation>找不到包含 {module} 的层</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="453"/>
        <source>{architecture} has no masked-LM head the logit lens knows</source>
        <translation>{architecture} 没有 Logit 透镜认识的掩码语言模型头</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="457"/>
        <source>{architecture} has no output head: nothing to read the layers through</source>
        <translation>{architecture} 没有输出头：无法借助它读出各层</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="461"/>
        <source>the logit lens cannot read {model}: its last layer through the final norm and head does not give the model&apos;s output (an output head the lens does not know)</source>
        <translation>Logit 透镜无法读取 {model}：它的最后一层经过最终归一化和输出头后得不到模型的输出（透镜不认识这个输出头）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="466"/>
        <source>the logit lens needs k ≥ 1 tokens per cell, got {k}</source>
        <translation>Logit 透镜每个单元格需要 k ≥ 1 个词元，收到的是 {k}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="470"/>
        <source>the induction probe runs decoder-only models; {model} is a {kind} model</source>
        <translation>归纳探针只运行仅解码器模型；{model} 是{kind}模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="474"/>
        <source>long-document mode is for decoder-only models; {model} is an {kind}</source>
        <translation>长文档模式只适用于仅解码器模型；{model} 是{kind}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="478"/>
        <source>long-document mode does not support {model_type} models yet ({supported} only)</source>
        <translation>长文档模式还不支持 {model_type} 模型（只支持 {supported}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="482"/>
        <source>long-document mode does not support {model}&apos;s sliding-window layers: their cache drops old keys</source>
        <translation>长文档模式不支持 {model} 的滑动窗口层：它们的缓存会丢弃旧的键</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="486"/>
        <source>long-document mode needs every earlier key and no position bias in every layer</source>
        <translation>长文档模式要求每一层都保留所有之前的键，且没有位置偏置</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="490"/>
        <source>the session is not in long-document mode: its store holds the attention</source>
        <translation>会话不在长文档模式：注意力都在它的存储中</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="494"/>
        <source>attention rollout is not shown in long-document mode: it multiplies full {n} × {n} matrices through every layer. Use `attnlab export --store long --analyses rollout` (computed exactly while it fits in memory), or a shorter text</source>
        <translation>长文档模式下不显示注意力展开：它要把完整的 {n} × {n} 矩阵逐层相乘。请使用 `attnlab export --store long --analyses rollout`（内存放得下时精确计算），或缩短文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="508"/>
        <source>re-reading the text from token {start}: {done} of {total} tokens</source>
        <translation>正在从第 {start} 个词元起重新读取文本：{done} / {total} 个词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="512"/>
        <source>ablating heads: {done} of {total}</source>
        <translation>正在消融注意力头：{done} / {total}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="516"/>
        <source>cannot save the session: the folder {folder} does not exist</source>
        <translation>无法保存会话：文件夹 {folder} 不存在</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="524"/>
        <source>{path} does not exist</source>
        <translation>{path} 不存在</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="528"/>
        <source>{path} is a folder, not a session file</source>
        <translation>{path} 是文件夹，不是会话文件</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="532"/>
        <source>cannot read {path}: {error}</source>
        <translation>无法读取 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="536"/>
        <source>{name} is not an attnlab session: it is not JSON text ({error})</source>
        <translation>{name} 不是 attnlab 会话：它不是 JSON 文本（{error}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="540"/>
        <source>{name} is not an attnlab session (it has no &quot;format&quot;: &quot;{format}&quot;)</source>
        <translation>{name} 不是 attnlab 会话（其中没有 &quot;format&quot;: &quot;{format}&quot;）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="544"/>
        <source>{name} has no valid schema_version: the file is damaged</source>
        <translation>{name} 没有有效的 schema_version：文件已损坏</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="548"/>
        <source>{name} was written by a newer attnlab ({writer}, session format {version}); this one ({reader}) reads format {supported} and older: update attnlab</source>
        <translation>{name} 由更新的 attnlab 写入（{writer}，会话格式 {version}）；当前版本（{reader}）只能读取格式 {supported} 及更早的格式：请更新 attnlab</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="553"/>
        <source>{name} is damaged: {what} (edit it back or save the session again)</source>
        <translation>{name} 已损坏：{what}（请改回来，或重新保存会话）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="561"/>
        <source>no model is loaded yet: pick one in the model list</source>
        <translation>还没有加载模型：请在模型列表中选择一个</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="565"/>
        <source>integrated gradients: {steps} steps</source>
        <translation>积分梯度：{steps} 步</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="569"/>
        <source>patching {site}: {done} of {total} runs</source>
        <translation>修补 {site}：第 {done} 次，共 {total} 次运行</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="573"/>
        <source>{model} cannot generate text: it is a {kind} model</source>
        <translation>{model} 不能生成文本：它是{kind}模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="577"/>
        <source>unexpected error ({type}): {error} — the details are in {path}</source>
        <translation>意外错误（{type}）：{error} —— 详细信息见 {path}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="585"/>
        <source>killed by {signal}</source>
        <translation>被 {signal} 终止</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="589"/>
        <source>exited with status {code}</source>
        <translation>以状态 {code} 退出</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="593"/>
        <source>lost</source>
        <translation>连接已中断</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="597"/>
        <source>the engine runs attnlab {engine} but this window is attnlab {window}: install the same version of attnlab on both ends</source>
        <translation>引擎运行的是 attnlab {engine}，而本窗口是 attnlab {window}：请在两端安装相同版本的 attnlab</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="602"/>
        <source>could not run {command}: {error}</source>
        <translation>无法运行 {command}：{error}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="606"/>
        <source>{target} is not an engine address: use ssh://[user@]host[:port]</source>
        <translation>{target} 不是引擎地址：请用 ssh://[user@]host[:port]</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="610"/>
        <source>closed before the engine answered</source>
        <translation>引擎应答之前连接就关闭了</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="614"/>
        <source>the engine at {path} refused this window&apos;s key: {error}</source>
        <translation>位于 {path} 的引擎拒绝了本窗口的密钥：{error}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="618"/>
        <source>the engine did not answer: {reason}</source>
        <translation>引擎没有应答：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="622"/>
        <source>the engine answered something else than hello</source>
        <translation>引擎的应答不是预期的问候</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="626"/>
        <source>activation patching needs a corrupted run: choose what to corrupt first</source>
        <translation>激活修补需要一次被破坏的运行：请先选择要破坏的内容</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="630"/>
        <source>no engine answered at {path} within {seconds} s</source>
        <translation>{seconds} 秒内 {path} 上没有引擎应答</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="634"/>
        <source>the engine could not start ({reason})</source>
        <translation>引擎无法启动（{reason}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="638"/>
        <source>{file}: a figure is saved as {endings} — name the file with one of these endings</source>
        <translation>{file}：图像保存为 {endings} —— 请用其中一个扩展名命名文件</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="646"/>
        <source>nothing to continue: the text was not analysed (the message above says why)</source>
        <translation>没有可继续的内容：文本没有被分析（上面的消息说明了原因）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="650"/>
        <source>a number is too large for the engine: keep the seed, top-k and max new tokens below 2^63</source>
        <translation>数值太大，引擎无法处理：请让种子、top-k 和最多新词元数都小于 2^63</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="654"/>
        <source>not enough memory: this needs {size} at once (an array of shape {shape}): use a shorter text, fewer tokens to generate, or a smaller model</source>
        <translation>内存不足：这一步一次需要 {size}（形状为 {shape} 的数组）：请使用更短的文本、更少的生成词元，或更小的模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="659"/>
        <source>not enough memory for this: use a shorter text, fewer tokens to generate, or a smaller model</source>
        <translation>内存不足：请使用更短的文本、更少的生成词元，或更小的模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="663"/>
        <source>{name} is not an attnlab session: it is nested too deeply</source>
        <translation>{name} 不是 attnlab 会话：它嵌套得太深</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="667"/>
        <source>{name} is damaged: it is nested too deeply</source>
        <translation>{name} 已损坏：它嵌套得太深</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="671"/>
        <source>{name} is not a regular file (a pipe, a device or a socket): not an attnlab session</source>
        <translation>{name} 不是普通文件（而是管道、设备或套接字）：不是 attnlab 会话</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="675"/>
        <source>{name} cannot be read now (it would block): not an attnlab session</source>
        <translation>{name} 现在无法读取（读取会阻塞）：不是 attnlab 会话</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="679"/>
        <source>a field holds a value of the wrong kind ({type})</source>
        <translation>某个字段的值类型不对（{type}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="683"/>
        <source>{name} is damaged: it holds {word}, which is not a number JSON allows</source>
        <translation>{name} 已损坏：它含有 {word}，这不是 JSON 允许的数值</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="687"/>
        <source>{name} is not an attnlab session: its JSON nests more than {depth} deep</source>
        <translation>{name} 不是 attnlab 会话：它的 JSON 嵌套超过 {depth} 层</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="691"/>
        <source>{name} is not an attnlab session: it is not UTF-8 text ({error})</source>
        <translation>{name} 不是 attnlab 会话：它不是 UTF-8 文本（{error}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="695"/>
        <source>{path} is {kind}, not a session file: attnlab reads sessions from regular files</source>
        <translation>{path} 是{kind}，不是会话文件：attnlab 只从普通文件读取会话</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="699"/>
        <source>{name} is not an attnlab session: its JSON nests too deeply</source>
        <translation>{name} 不是 attnlab 会话：它的 JSON 嵌套得太深</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="703"/>
        <source>{name} is damaged: it holds text that is not valid Unicode ({text}, half of a surrogate pair): edit it back or save the session again</source>
        <translation>{name} 已损坏：它含有无效的 Unicode 文本（{text}，代理对的一半）：请改回来，或重新保存会话</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="708"/>
        <source>it holds the integer {value}, beyond what a 64-bit integer holds</source>
        <translation>它含有整数 {value}，超出了 64 位整数的范围</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="712"/>
        <source>{folder} is not a training run: it has no {file}</source>
        <translation>{folder} 不是训练运行：它没有 {file}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="716"/>
        <source>{path} is not a regular file</source>
        <translation>{path} 不是普通文件</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="720"/>
        <source>{path} is larger than {size} MB: not a file attnlab wrote</source>
        <translation>{path} 大于 {size} MB：不是 attnlab 写出的文件</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="724"/>
        <source>a training record cannot be read ({error})</source>
        <translation>无法读取一条训练记录（{error}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="728"/>
        <source>{path} is not a training run&apos;s description ({error})</source>
        <translation>{path} 不是训练运行的描述文件（{error}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="732"/>
        <source>contributions of a long document&apos;s decoder are not available yet: shorten the text below the long-mode threshold (or use --store exact) to see them</source>
        <translation>长文档解码器的贡献暂时不可用：请把文本缩短到长文档模式的阈值以下（或使用 --store exact）再查看</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="737"/>
        <source>contributions are unavailable for {model}: its attention is its own code and computes the values inside it (no separate value projection), so v cannot be read</source>
        <translation>{model} 无法计算贡献：它的注意力是自己的代码，在内部计算值向量（没有单独的值投影），因此读不到 v</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="742"/>
        <source>the flow threshold is a share of the residual between 0 and 1, got {threshold}</source>
        <translation>流图阈值是残差的占比，应在 0 到 1 之间，收到的是 {threshold}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="746"/>
        <source>the flow graph follows one stack&apos;s residual stream; an encoder-decoder&apos;s decoder also reads the source through cross-attention, which it does not draw yet: use a decoder-only or encoder model</source>
        <translation>流图追踪一个堆栈的残差流；编码器-解码器的解码器还通过交叉注意力读取源文本，而流图暂时还画不出这部分：请使用纯解码器或编码器模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="751"/>
        <source>the flow graph explains the filler of a [MASK] slot: mask a token first</source>
        <translation>流图解释的是 [MASK] 位置的填充词：请先掩码一个词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="755"/>
        <source>the flow graph takes at most {limit} tokens (the input has {count}): shorten the text</source>
        <translation>流图最多接受 {limit} 个词元（输入有 {count} 个）：请缩短文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="759"/>
        <source>the flow graph is unavailable for {model}: its attention is its own code, which does not hand over the values</source>
        <translation>{model} 无法使用流图：它的注意力是自己的代码，不交出值向量</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="763"/>
        <source>the flow graph could not follow {model}&apos;s layers</source>
        <translation>流图无法追踪 {model} 的各层</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="767"/>
        <source>the flow graph splits a pre-norm residual stream (x + attention + MLP); this model normalises the stream after each sublayer (post-norm), so its states are not such sums</source>
        <translation>流图拆分的是前置归一化的残差流（x + 注意力 + MLP）；这个模型在每个子层之后归一化残差流（后置归一化），所以它的状态不是这样的和</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="772"/>
        <source>{architecture} has no masked-LM head the attribution knows</source>
        <translation>{architecture} 没有归因认识的掩码语言模型头</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="776"/>
        <source>{architecture} has no output head: there is no logit to attribute</source>
        <translation>{architecture} 没有输出头：没有可以归因的 logit</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="780"/>
        <source>{architecture} rescales its logits outside its modules: not attributable yet</source>
        <translation>{architecture} 在模块之外缩放它的 logit：暂时无法归因</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="784"/>
        <source>the attribution&apos;s frozen {module} does not reproduce the model&apos;s</source>
        <translation>归因中冻结的 {module} 复现不了模型自己的结果</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="788"/>
        <source>direct logit attribution explains the filler of a [MASK] slot: mask a token first</source>
        <translation>直接 logit 归因解释的是 [MASK] 位置的填充词：请先掩码一个词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="792"/>
        <source>the output head ({module}) is not a linear layer: nothing to project on</source>
        <translation>输出头（{module}）不是线性层：没有可以投影的方向</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="796"/>
        <source>direct logit attribution: {model} does something between its last layer and its head</source>
        <translation>直接 logit 归因：{model} 在最后一层和输出头之间还做了别的计算</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="800"/>
        <source>the attribution cannot linearise {module} on the way to the logits</source>
        <translation>归因无法把通往 logit 路上的 {module} 线性化</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="804"/>
        <source>direct logit attribution: {module}&apos;s output projection is not linear in its heads</source>
        <translation>直接 logit 归因：{module} 的输出投影对各个头不是线性的</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="808"/>
        <source>the output projection takes {width} inputs, not a multiple of {heads} heads</source>
        <translation>输出投影接受 {width} 个输入，不是 {heads} 个头的整数倍</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="812"/>
        <source>{what} is unavailable for {model}: it needs the output projection that merges the heads (W_O), and the attention of layer(s) {layers} exposes none the engine knows</source>
        <translation>{model} 无法使用{what}：它需要合并各头的输出投影（W_O），而第 {layers} 层的注意力没有暴露引擎认识的输出投影</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="817"/>
        <source>{what}: the output projection found does not read the heads&apos; outputs</source>
        <translation>{what}：找到的输出投影读取的不是各头的输出</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="821"/>
        <source>the attention&apos;s output projection did not run during the forward</source>
        <translation>前向计算中注意力的输出投影没有运行</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="825"/>
        <source>{path} is cut short or damaged: it ends before the data its header declares ({size} bytes). Download or copy the .gguf file again</source>
        <translation>{path} 被截断或已损坏：它在文件头声明的数据之前就结束了（{size} 字节）。请重新下载或复制这个 .gguf 文件</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="830"/>
        <source>{model} ({folder}) ships its own code ({files}) for model_type {model_type}, which transformers does not have: loading it runs that code. Allow remote code for this model only if you trust where it came from</source>
        <translation>{model}（{folder}）为 model_type {model_type} 自带代码（{files}），transformers 没有这种架构：加载它就会运行这些代码。只有在信任它的来源时，才为这个模型允许远程代码</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="836"/>
        <source>{reason}</source>
        <translation>{reason}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="840"/>
        <source>the weights of {model} do not match its architecture: {mismatch}. Loading it would fill them with random numbers: fix the weight files or config.json, or load it anyway, knowing that its numbers are then partly random</source>
        <translation>{model} 的权重与它的架构不符：{mismatch}。加载它会用随机数填充这些权重：请修复权重文件或 config.json，或者在知道其数值部分随机的前提下仍然加载</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="846"/>
        <source>{model} ships its own code, which loading it would run: {error}</source>
        <translation>{model} 自带代码，加载它就会运行这些代码：{error}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="850"/>
        <source>training: {path} is not a text file</source>
        <translation>训练：{path} 不是文本文件</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="854"/>
        <source>training: {name} is larger than {size} MB; use a shorter text</source>
        <translation>训练：{name} 大于 {size} MB；请使用更短的文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="858"/>
        <source>training: {name} has {count} lines of text; give at least 20 (one document a line)</source>
        <translation>训练：{name} 只有 {count} 行文本；请至少给 20 行（每行一篇文档）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="862"/>
        <source>training: the text is too short for a context of {context} tokens</source>
        <translation>训练：文本太短，不够 {context} 个词元的上下文</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="866"/>
        <source>training: next-sentence prediction needs documents of two or more sentences</source>
        <translation>训练：下一句预测需要包含两句或更多句子的文档</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="870"/>
        <source>training: the kind must be one of {kinds}, got {kind}</source>
        <translation>训练：类型必须是 {kinds} 之一，收到的是 {kind}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="874"/>
        <source>training: the width ({width}) must divide into {heads} heads</source>
        <translation>训练：宽度（{width}）必须能被 {heads} 个头整除</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="878"/>
        <source>training: the learning rate must be between 0 and 1, got {lr}</source>
        <translation>训练：学习率必须在 0 到 1 之间，收到的是 {lr}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="882"/>
        <source>training: the synthetic data is the induction task&apos;s; a GPT or BERT reads text</source>
        <translation>训练：合成数据属于归纳任务；GPT 或 BERT 读取的是文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="886"/>
        <source>training: the induction task repeats {count} distinct tokens of {vocab}: use a context of at most {limit}</source>
        <translation>训练：归纳任务重复 {vocab} 个词元中的 {count} 个不同词元：请使用最多 {limit} 的上下文</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="890"/>
        <source>training: {name} must be a whole number from {low} to {high}, got {value}</source>
        <translation>训练：{name} 必须是 {low} 到 {high} 之间的整数，收到的是 {value}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="894"/>
        <source>training: {folder} is not empty; choose a new folder for the run</source>
        <translation>训练：{folder} 不是空的；请为这次运行选择一个新文件夹</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="898"/>
        <source>attribution explains a [MASK] slot&apos;s filler: mask a token first</source>
        <translation>归因解释的是 [MASK] 位置的填充词：请先掩码一个词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="902"/>
        <source>position {position} is out of range: the input has {count} tokens ({range})</source>
        <translation>位置 {position} 超出范围：输入有 {count} 个词元（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="906"/>
        <source>the next-sentence probability needs a model with an NSP head and two segments</source>
        <translation>下一句概率需要带 NSP 头的模型和两个句段</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="910"/>
        <source>the integrated-gradients baseline is &apos;pad&apos; or &apos;zero&apos;, got {kind}</source>
        <translation>积分梯度的基线只能是 &apos;pad&apos; 或 &apos;zero&apos;，收到的是 {kind}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="914"/>
        <source>{model} has no pad, end or unknown token: use the zero baseline</source>
        <translation>{model} 没有填充、结束或未知词元：请使用零基线</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="918"/>
        <source>integrated gradients need at least 1 step, got {steps}</source>
        <translation>积分梯度至少需要 1 步，收到的是 {steps}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="922"/>
        <source>{what} works on decoders and masked language models; {model} is an encoder-decoder</source>
        <translation>{what}适用于解码器和掩码语言模型；{model} 是编码器-解码器</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="926"/>
        <source>{model} has no input embedding module to attribute to</source>
        <translation>{model} 没有可以归因到的输入嵌入模块</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="930"/>
        <source>{model}&apos;s embedding module has no weight matrix to measure noise by</source>
        <translation>{model} 的嵌入模块没有可用来衡量噪声大小的权重矩阵</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="934"/>
        <source>{what} was cancelled</source>
        <translation>{what}已取消</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="938"/>
        <source>the block takes no cache argument</source>
        <translation>这个模块不接受缓存参数</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="942"/>
        <source>unknown patching site(s) {sites}: use {known}</source>
        <translation>未知的修补位置 {sites}：请使用 {known}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="946"/>
        <source>unknown patching site {site}: use {known}</source>
        <translation>未知的修补位置 {site}：请使用 {known}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="950"/>
        <source>no {site} cell ({layer}, {index}): the map is {blocks} × {width}</source>
        <translation>没有 {site} 单元格（{layer}, {index}）：图的大小是 {blocks} × {width}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="954"/>
        <source>activation patching explains a [MASK] slot&apos;s filler: mask a token first</source>
        <translation>激活修补解释的是 [MASK] 位置的填充词：请先掩码一个词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="958"/>
        <source>{model} shares one block between layers: patching needs one per layer</source>
        <translation>{model} 的各层共用一个模块：激活修补需要每层一个模块</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="962"/>
        <source>corrupted position(s) {bad} out of range: the input has {count} tokens ({range})</source>
        <translation>损坏位置 {bad} 超出范围：输入有 {count} 个词元（{range}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="966"/>
        <source>the corrupted text is {count} tokens and the clean input {clean}: patching needs the same length (change a word for a word of as many tokens)</source>
        <translation>损坏文本有 {count} 个词元，而干净输入有 {clean} 个：激活修补需要两者长度相同（把一个词换成词元数相同的词）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="971"/>
        <source>cannot find the MLP of {model}&apos;s layer {layer}</source>
        <translation>找不到 {model} 第 {layer} 层的 MLP</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="995"/>
        <source>attention rollout</source>
        <translation>注意力展开</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="996"/>
        <source>head scores</source>
        <translation>头评分</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="997"/>
        <source>scoring heads</source>
        <translation>头评分</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="998"/>
        <source>head importance</source>
        <translation>头的重要性</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="999"/>
        <source>the head importance estimate</source>
        <translation>头的重要性估计</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1000"/>
        <source>the logit lens</source>
        <translation>Logit 透镜</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1001"/>
        <source>sequence</source>
        <translation>序列</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1002"/>
        <source>a named pipe (FIFO)</source>
        <translation>命名管道（FIFO）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1003"/>
        <source>a device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1004"/>
        <source>a socket</source>
        <translation>套接字</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1005"/>
        <source>not a regular file</source>
        <translation>非普通文件</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1006"/>
        <source>contributions</source>
        <translation>贡献</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1007"/>
        <source>the flow graph</source>
        <translation>流图</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1008"/>
        <source>direct logit attribution</source>
        <translation>直接 logit 归因</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1009"/>
        <source>attribution</source>
        <translation>归因</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1010"/>
        <source>activation patching</source>
        <translation>激活修补</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="1011"/>
        <source>input attribution</source>
        <translation>输入归因</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="557"/>
        <source>the folder {folder} does not exist</source>
        <translation>文件夹 {folder} 不存在</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="642"/>
        <source>the PNG could not be encoded</source>
        <translation>无法编码 PNG</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="581"/>
        <source>Running the induction probe…</source>
        <translation>正在运行归纳探针…</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="326"/>
        <source>the formula inspector needs attention computed through transformers&apos; AttentionInterface, and this architecture computes it in its own code</source>
        <translation>公式检查器需要通过 transformers 的 AttentionInterface 计算的注意力，而这个架构用自己的代码计算注意力</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="335"/>
        <source>head ablation needs the output projection that merges the heads, and this architecture&apos;s attention does not expose one</source>
        <translation>头消融需要合并各头的输出投影，而这个架构的注意力没有提供它</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="504"/>
        <source>reading the text: {done} of {total} tokens</source>
        <translation>正在读取文本：{done} / {total} 个词元</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="340"/>
        <source>finding {spec}</source>
        <translation>正在查找 {spec}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="344"/>
        <source>loading weights of {model} ({kind})</source>
        <translation>正在加载 {model} 的权重（{kind}）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="348"/>
        <source>loaded {model} in {seconds} s</source>
        <translation>已加载 {model}，用时 {seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="305"/>
        <source>pick a smaller model, a smaller dtype (float16 or bfloat16), or a shorter text, or device map auto to spread the layers over the GPUs and RAM</source>
        <translation>请换更小的模型、更小的数据类型（float16 或 bfloat16）或更短的文本，或用 device map auto 把各层分布到各 GPU 和内存上</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="301"/>
        <source>pick a smaller model, a smaller dtype (float16 or bfloat16), or a shorter text</source>
        <translation>请换更小的模型、更小的数据类型（float16 或 bfloat16）或更短的文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="500"/>
        <source>{what}: layer {layer} of {layers}</source>
        <translation>{what}：第 {layer} 层，共 {layers} 层</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="993"/>
        <source>scoring heads from recomputed rows</source>
        <translation>正在用重新计算的行为各头打分</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="994"/>
        <source>attention rollout from recomputed rows</source>
        <translation>正在用重新计算的行计算注意力展开</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="352"/>
        <source>using the converted copy of {file}</source>
        <translation>使用 {file} 的转换副本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="356"/>
        <source>converted {file}</source>
        <translation>已转换 {file}</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="360"/>
        <source>reading the tokenizer from {file} (about 15 s)</source>
        <translation>正在从 {file} 读取分词器（约 15 秒）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="364"/>
        <source>dequantising the weights of {file} (about 30 s)</source>
        <translation>正在反量化 {file} 的权重（约 30 秒）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="368"/>
        <source>writing model.safetensors (float32)</source>
        <translation>正在写入 model.safetensors（float32）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="372"/>
        <source>checking the converted model against the GGUF</source>
        <translation>正在对照 GGUF 检查转换后的模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="520"/>
        <source>{name} is over {size}: not an attnlab session (they are a few kB)</source>
        <translation>{name} 超过 {size}：不是 attnlab 会话（会话只有几 kB）</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="980"/>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="981"/>
        <source>source</source>
        <translation>源文本</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="982"/>
        <source>prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="983"/>
        <source>decoder prefix</source>
        <translation>解码器前缀</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="984"/>
        <source>mask</source>
        <translation>遮盖</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="985"/>
        <source>knock-out</source>
        <translation>屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="986"/>
        <source>decoder knock-out</source>
        <translation>解码器屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="987"/>
        <source>eos</source>
        <translation>文本结束</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="988"/>
        <source>max_length</source>
        <translation>最大长度</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="989"/>
        <source>encoder</source>
        <translation>编码器</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="990"/>
        <source>decoder</source>
        <translation>解码器</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="991"/>
        <source>encoder-decoder</source>
        <translation>编码器-解码器</translation>
    </message>
    <message>
        <location filename="../../app/engine_messages.py" line="992"/>
        <source>cross</source>
        <translation>交叉注意力</translation>
    </message>
</context>
<context>
    <name>EngineRecovery</name>
    <message>
        <location filename="../../app/engine_recovery.py" line="24"/>
        <source>loading a model</source>
        <translation>加载模型</translation>
    </message>
    <message>
        <location filename="../../app/engine_recovery.py" line="25"/>
        <source>a run</source>
        <translation>连续生成</translation>
    </message>
    <message>
        <location filename="../../app/engine_recovery.py" line="26"/>
        <source>a step</source>
        <translation>单步生成</translation>
    </message>
    <message>
        <location filename="../../app/engine_recovery.py" line="27"/>
        <source>an analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <location filename="../../app/engine_recovery.py" line="28"/>
        <source>no request</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../app/engine_recovery.py" line="57"/>
        <source>The engine stopped again ({0}) while loading {1}: it was not asked a third time. The model may need more memory than this machine has; pick another one.</source>
        <translation>加载 {1} 时引擎再次停止（{0}）：不会第三次尝试。该模型可能需要比本机更多的内存；请选择其他模型。</translation>
    </message>
    <message>
        <location filename="../../app/engine_recovery.py" line="65"/>
        <source>The engine stopped ({0}) during {1}; a new engine is replaying the session.</source>
        <translation>引擎在{1}时停止（{0}）；新的引擎正在重放会话。</translation>
    </message>
    <message>
        <location filename="../../app/engine_recovery.py" line="84"/>
        <source>No engine: {0}</source>
        <translation>没有引擎：{0}</translation>
    </message>
</context>
<context>
    <name>FigureActions</name>
    <message>
        <location filename="../../app/figure_actions.py" line="45"/>
        <source>Large heatmap</source>
        <translation>大热力图</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="46"/>
        <source>Head grid</source>
        <translation>头网格</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="49"/>
        <source>PNG image</source>
        <translation>PNG 图像</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="50"/>
        <source>SVG (vector, text stays text)</source>
        <translation>SVG（矢量，文字保持为文字）</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="51"/>
        <source>PDF (vector)</source>
        <translation>PDF（矢量）</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="52"/>
        <source>matrix as CSV</source>
        <translation>矩阵（CSV）</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="53"/>
        <source>matrix as NumPy .npy</source>
        <translation>矩阵（NumPy .npy）</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="56"/>
        <source>2× the screen&apos;s pixels</source>
        <translation>屏幕像素的 2 倍</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="115"/>
        <source>&amp;Export Figure…</source>
        <translation>导出图像(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="118"/>
        <source>Save a view as PNG, SVG or PDF, or its matrix as CSV or .npy</source>
        <translation>把视图保存为 PNG、SVG 或 PDF，或把它的矩阵保存为 CSV 或 .npy</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="129"/>
        <source>Export Figure…</source>
        <translation>导出图像…</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="129"/>
        <source>Save this view as PNG, SVG or PDF</source>
        <translation>把这个视图保存为 PNG、SVG 或 PDF</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="133"/>
        <source>Copy Image</source>
        <translation>复制图像</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="133"/>
        <source>Copy this view to the clipboard as an image</source>
        <translation>把这个视图作为图像复制到剪贴板</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="138"/>
        <source>Save Matrix…</source>
        <translation>保存矩阵…</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="140"/>
        <source>Save the weights this view shows as CSV or .npy</source>
        <translation>把这个视图显示的权重保存为 CSV 或 .npy</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="146"/>
        <source>PNG Resolution</source>
        <translation>PNG 分辨率</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="174"/>
        <location filename="../../app/figure_actions.py" line="209"/>
        <source>Nothing to export yet: load a model and type some text first.</source>
        <translation>还没有可导出的内容：请先加载模型并输入一些文字。</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="183"/>
        <source>Could not export: {0}</source>
        <translation>无法导出：{0}</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="185"/>
        <source>Saved {0}</source>
        <translation>已保存 {0}</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="193"/>
        <source>Nothing to copy yet: load a model and type some text first.</source>
        <translation>还没有可复制的内容：请先加载模型并输入一些文字。</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="199"/>
        <source>Copied the {0} as an image</source>
        <translation>已把{0}复制为图像</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="214"/>
        <source>Export Figure</source>
        <translation>导出图像</translation>
    </message>
    <message>
        <location filename="../../app/figure_actions.py" line="233"/>
        <source>A long document keeps only an overview of its attention here, not the full matrix a figure carries: export the layers and heads you need with `attnlab export --layers L --heads H` instead.</source>
        <translation>长文档在这里只保留注意力的概览，没有图表所需的完整矩阵：请改用 `attnlab export --layers L --heads H` 导出所需的层和头。</translation>
    </message>
</context>
<context>
    <name>FlowCanvas</name>
    <message>
        <location filename="../../app/widgets/flow_view.py" line="112"/>
        <source>layer {0} residual + MLP at {1!r} #{2}: weight {3:.3f}</source>
        <translation>第 {0} 层 残差 + 前馈层，位于 {1!r} #{2}：权重 {3:.3f}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/flow_view.py" line="115"/>
        <source>layer {0} head {1}: {2!r} #{3} → {4!r} #{5}: weight {6:.3f}</source>
        <translation>第 {0} 层 第 {1} 头：{2!r} #{3} → {4!r} #{5}：权重 {6:.3f}</translation>
    </message>
</context>
<context>
    <name>FlowView</name>
    <message>
        <location filename="../../app/widgets/flow_view.py" line="131"/>
        <source>Keep edges carrying at least this share of the residual they write into</source>
        <translation>只保留至少占其写入残差这么多份额的边</translation>
    </message>
    <message>
        <location filename="../../app/widgets/flow_view.py" line="135"/>
        <source>The route to the prediction: open this tab with a text.</source>
        <translation>通往预测的路径：输入文本后打开此标签页。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/flow_view.py" line="139"/>
        <source>threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../app/widgets/flow_view.py" line="155"/>
        <source>Prediction at position {0}: {1} layers × {2} tokens, graph ready in {3:.2f} s</source>
        <translation>位置 {0} 的预测：{1} 层 × {2} 个词元，图在 {3:.2f} 秒内就绪</translation>
    </message>
    <message>
        <location filename="../../app/widgets/flow_view.py" line="173"/>
        <source>{0} edges ≥ {1:.2f}</source>
        <translation>{0} 条边 ≥ {1:.2f}</translation>
    </message>
</context>
<context>
    <name>FormulaPanel</name>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="173"/>
        <source>Close the formula inspector</source>
        <translation>关闭公式检查器</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="219"/>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="239"/>
        <source>The input changed before the explanation came: click a cell again.</source>
        <translation>解释返回之前输入已改变：请再点击一次格子。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="241"/>
        <source>The input changed since: this explains the previous one. Click a cell again.</source>
        <translation>输入已经改变：这里解释的是之前的输入。请再点击一次格子。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="268"/>
        <source>mask {0}</source>
        <translation>遮盖 {0}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="270"/>
        <source>position bias {0}</source>
        <translation>位置偏置 {0}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="272"/>
        <source>knock-out {0}</source>
        <translation>屏蔽 {0}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="275"/>
        <source>× scaling {0}</source>
        <translation>× 缩放 {0}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="280"/>
        <source>softcap {0}</source>
        <translation>软上限 {0}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="280"/>
        <source>({0}·tanh(above / {1}))</source>
        <translation>({0}·tanh(上式 / {1}))</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="283"/>
        <source>+ bias</source>
        <translation>+ 偏置</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="284"/>
        <source>= logit</source>
        <translation>= logit</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="285"/>
        <source>− logsumexp(row)</source>
        <translation>− logsumexp(整行)</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="286"/>
        <source>exp(…) = prob</source>
        <translation>exp(…) = 概率</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="287"/>
        <source>share of the head&apos;s output {0}</source>
        <translation>占该头输出的比例 {0}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="295"/>
        <source>(through the head&apos;s slice of the output projection)</source>
        <translation>（经过该头在输出投影中的切片）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="297"/>
        <source>= prob · ‖v_j W_Oʰ‖: what this key moves</source>
        <translation>= prob · ‖v_j W_Oʰ‖：该键搬运的量</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="301"/>
        <source>   (kv head {0}: grouped-query)</source>
        <translation>   （键值头 {0}：分组查询）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="308"/>
        <source>The key is knocked out: no query attends to it.</source>
        <translation>这个键被屏蔽了：没有查询会关注它。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="310"/>
        <source>The mask hides this key from this query: its weight is 0.</source>
        <translation>掩码对这个查询隐藏了这个键：它的权重为 0。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="312"/>
        <source>This head is ablated: its output is zeroed downstream (its attention is unchanged).</source>
        <translation>这个头被消融了：它的输出在后续被置零（它的注意力本身不变）。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="326"/>
        <source>{0!r} #{1} → {2!r} #{3} · {4} layer {5} · head {6}</source>
        <translation>{0!r} #{1} → {2!r} #{3} · {4} 第 {5} 层 · 头 {6}</translation>
    </message>
</context>
<context>
    <name>Generation</name>
    <message>
        <location filename="../../app/generation_guard.py" line="34"/>
        <source>Nothing to continue: type a prompt first.</source>
        <translation>没有可续写的内容：请先输入提示。</translation>
    </message>
    <message>
        <location filename="../../app/generation_guard.py" line="36"/>
        <source>Nothing to continue: type a source text first.</source>
        <translation>没有可续写的内容：请先输入源文本。</translation>
    </message>
    <message>
        <location filename="../../app/generation_guard.py" line="38"/>
        <source>Nothing to continue: the text was refused (the message above says why); change it first.</source>
        <translation>没有可续写的内容：这段文本被拒绝了（上面的消息说明了原因）；请先修改它。</translation>
    </message>
</context>
<context>
    <name>GenerationBar</name>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="27"/>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="27"/>
        <source>One token</source>
        <translation>生成一个词元</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="30"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="31"/>
        <source>Generate the number of tokens on the right (fewer at the limit below)</source>
        <translation>生成右边所填数量的词元（到达下面的上限时会更少）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="38"/>
        <source>How many tokens one click on Run generates (fewer at the limit below)</source>
        <translation>点击一次“运行”生成多少个词元（到达下面的上限时会更少）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="40"/>
        <source>Stop after</source>
        <translation>停止于</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="41"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="41"/>
        <source>Stop after the current token</source>
        <translation>当前词元之后停止</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="43"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="43"/>
        <source>Remove the last generated token</source>
        <translation>移除最后生成的词元</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="48"/>
        <source>%v / %m tokens</source>
        <translation>%v / %m 个词元</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="87"/>
        <source>Generation stops after this many new tokens, counted from the prompt. Step and Run are disabled once it is reached: raise it to go on.</source>
        <translation>从提示算起，生成这么多新词元后停止。达到后“单步”和“运行”不可用：调高它才能继续。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/generation_bar.py" line="90"/>
        <source> new tokens in all</source>
        <translation> 个新词元（总计）</translation>
    </message>
</context>
<context>
    <name>HeadGridView</name>
    <message>
        <location filename="../../app/plots/head_grid.py" line="369"/>
        <source>layer {0} head {1} · {2}: {3}</source>
        <translation>第 {0} 层第 {1} 个头 · {2}：{3}</translation>
    </message>
    <message>
        <location filename="../../app/plots/head_grid.py" line="380"/>
        <source>layer {0} · head {1}
</source>
        <translation>第 {0} 层 · 头 {1}
</translation>
    </message>
    <message>
        <location filename="../../app/plots/head_grid.py" line="382"/>
        <source>click: show it in the large heatmap · right-click: ablate / restore</source>
        <translation>单击：在大热力图中显示 · 右键：消融 / 恢复</translation>
    </message>
    <message>
        <location filename="../../app/plots/head_grid.py" line="403"/>
        <source>Ablate / restore layer {0} head {1}</source>
        <translation>消融 / 恢复第 {0} 层第 {1} 个头</translation>
    </message>
</context>
<context>
    <name>HeadScoresBar</name>
    <message>
        <location filename="../../app/widgets/head_scores_bar.py" line="28"/>
        <source>Colour each head of the grid by one of its scores (hover a head for the value)</source>
        <translation>按某一项评分给网格中的每个头着色（悬停可看数值）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/head_scores_bar.py" line="30"/>
        <source>attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <location filename="../../app/widgets/head_scores_bar.py" line="36"/>
        <location filename="../../app/widgets/head_scores_bar.py" line="87"/>
        <source>Induction probe</source>
        <translation>归纳探针</translation>
    </message>
    <message>
        <location filename="../../app/widgets/head_scores_bar.py" line="40"/>
        <source>Run a seeded sequence of random tokens, repeated twice, through the model and score every head on it: an induction head attends from each repeated token to the token after its first copy (score near 1)</source>
        <translation>让模型运行一段固定种子的随机词元序列（重复两次），并据此给每个头评分：归纳头会从每个重复的词元关注到它第一次出现时后面的那个词元（评分接近 1）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/head_scores_bar.py" line="53"/>
        <source>colour heads by</source>
        <translation>头的着色依据</translation>
    </message>
    <message>
        <location filename="../../app/widgets/head_scores_bar.py" line="87"/>
        <source>Probing…</source>
        <translation>正在探测…</translation>
    </message>
</context>
<context>
    <name>HeadsTable</name>
    <message>
        <location filename="../../app/widgets/heads_table.py" line="49"/>
        <source>Every head&apos;s scores on this text; click a column header to sort, a row to show that head</source>
        <translation>每个头在这段文本上的评分；点击列标题排序，点击一行显示那个头</translation>
    </message>
    <message>
        <location filename="../../app/widgets/heads_table.py" line="80"/>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../../app/widgets/heads_table.py" line="80"/>
        <source>head</source>
        <translation>头</translation>
    </message>
</context>
<context>
    <name>HeatmapView</name>
    <message>
        <location filename="../../app/plots/heatmap.py" line="58"/>
        <source>query</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../../app/plots/heatmap.py" line="59"/>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <location filename="../../app/plots/heatmap.py" line="76"/>
        <source>Attention of one head: rows are queries, columns keys. Hover a cell for its weight; click it (or Enter) to see how it was computed. Arrow keys move the highlighted cell, PageUp/PageDown the layer.</source>
        <translation>一个头的注意力：行是查询，列是键。悬停在格子上可看权重；点击它（或按 Enter）可看它是怎么算出来的。方向键移动高亮的格子，PageUp/PageDown 切换层。</translation>
    </message>
    <message>
        <location filename="../../app/plots/heatmap.py" line="127"/>
        <source> · token 0 hidden ({0:.0%} of the weight)</source>
        <translation> · 隐藏了词元 0（占权重的 {0:.0%}）</translation>
    </message>
    <message>
        <location filename="../../app/plots/heatmap.py" line="129"/>
        <location filename="../../app/plots/heatmap.py" line="168"/>
        <source> · {0} colours</source>
        <translation> · {0}配色</translation>
    </message>
    <message>
        <location filename="../../app/plots/heatmap.py" line="170"/>
        <source>{0} · max of {1}×{1} tokens{2}</source>
        <translation>{0} · {1}×{1} 个词元的最大值{2}</translation>
    </message>
    <message>
        <location filename="../../app/plots/heatmap.py" line="171"/>
        <source>{0} · exact{1}</source>
        <translation>{0} · 精确权重{1}</translation>
    </message>
    <message>
        <location filename="../../app/plots/heatmap.py" line="383"/>
        <source>{0} (#{1}) → {2} (#{3}): ≤ {4:.3f}, the max of {5}×{6} tokens (#{7}–{8} → #{9}–{10}); zoom in for exact weights</source>
        <translation>{0} (#{1}) → {2} (#{3})：≤ {4:.3f}，为 {5}×{6} 个词元的最大值（#{7}–{8} → #{9}–{10}）；放大可看精确权重</translation>
    </message>
</context>
<context>
    <name>InfoFlowDock</name>
    <message>
        <location filename="../../app/info_flow_dock.py" line="32"/>
        <source>Information flow</source>
        <translation>信息流</translation>
    </message>
    <message>
        <location filename="../../app/info_flow_dock.py" line="40"/>
        <source>Flow graph</source>
        <translation>流图</translation>
    </message>
    <message>
        <location filename="../../app/info_flow_dock.py" line="41"/>
        <source>Direct logit attribution</source>
        <translation>直接 logit 归因</translation>
    </message>
    <message>
        <location filename="../../app/info_flow_dock.py" line="104"/>
        <source>The flow graph follows a decoder-only model&apos;s residual stream; for this model use the direct logit attribution tab, or export the graph of a pre-norm encoder with attnlab export.</source>
        <translation>流图沿着只有解码器的模型的残差流；对这个模型请使用“直接 logit 归因”标签页，或者用命令行导出前置归一化编码器的流图。</translation>
    </message>
    <message>
        <location filename="../../app/info_flow_dock.py" line="136"/>
        <source> Against the exact importance map of the same token: r = {0:.2f}; its top head L{1} H{2}, this map&apos;s L{3} H{4}.</source>
        <translation> 与同一词元的精确重要性图相比：r = {0:.2f}；它排第一的头是 L{1} H{2}，本图的是 L{3} H{4}。</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <location filename="../../app/language_menu.py" line="18"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../app/language_menu.py" line="23"/>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <location filename="../../app/language_menu.py" line="28"/>
        <source>Takes effect when attnlab restarts</source>
        <translation>attnlab 重启后生效</translation>
    </message>
    <message>
        <location filename="../../app/language_menu.py" line="36"/>
        <source>The language changes when attnlab restarts.</source>
        <translation>语言将在 attnlab 重启后更改。</translation>
    </message>
</context>
<context>
    <name>LessonController</name>
    <message>
        <location filename="../../app/lessons.py" line="247"/>
        <source>Load a masked language model (tiny-bert) and type a sentence first.</source>
        <translation>请先加载一个掩码语言模型（tiny-bert）并输入一个句子。</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="256"/>
        <source>Chose %1 of the %2 words; the model must recover each original:</source>
        <translation>从 %2 个词中选出了 %1 个；模型必须还原每一个原来的词：</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="265"/>
        <source>“%1” → the random corpus word “%2”</source>
        <translation>“%1” → 语料中的随机词“%2”</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="267"/>
        <source>“%1” → left unchanged</source>
        <translation>“%1” → 保持不变</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="269"/>
        <source>“%1” → %2 × [MASK], one for each of its tokens</source>
        <translation>“%1” → %2 × [MASK]，它的每个词元各一个</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="271"/>
        <source>“%1” → [MASK]</source>
        <translation>“%1” → [MASK]</translation>
    </message>
    <message>
        <location filename="../../app/lessons.py" line="259"/>
        <source>The text box now holds this example; press again for another one of your sentence.</source>
        <translation>文本框里现在是这个样本；再按一次，可以为你的句子再抽取一个。</translation>
    </message>
</context>
<context>
    <name>LessonPanel</name>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="96"/>
        <source>Lesson</source>
        <translation>课程</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="97"/>
        <source>Try this</source>
        <translation>试一试</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="98"/>
        <source>← Previous</source>
        <translation>← 上一课</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="99"/>
        <source>The previous lesson</source>
        <translation>上一课</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="100"/>
        <source>Next →</source>
        <translation>下一课 →</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="101"/>
        <source>The next lesson</source>
        <translation>下一课</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="102"/>
        <source>Do this lesson&apos;s step in the window; the result shows below</source>
        <translation>在窗口中完成这一课的操作；结果显示在下方</translation>
    </message>
    <message>
        <location filename="../../app/widgets/lesson_panel.py" line="108"/>
        <source>Lesson %1 of %2</source>
        <translation>第 %1 课，共 %2 课</translation>
    </message>
</context>
<context>
    <name>LongColours</name>
    <message>
        <location filename="../../app/long_colours.py" line="39"/>
        <source> · log scale for a long document (linear colours would be nearly uniform)</source>
        <translation> · 长文档使用对数刻度（线性颜色几乎一片均匀）</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/main_window.py" line="120"/>
        <source>Source</source>
        <translation>源文本</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="123"/>
        <source>The encoder&apos;s input</source>
        <translation>编码器的输入</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="125"/>
        <source>The text the encoder reads; analysed as you type</source>
        <translation>编码器读取的文本；边输入边分析</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="127"/>
        <location filename="../../app/main_window.py" line="584"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="130"/>
        <source>Type some text…</source>
        <translation>输入一些文字…</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="132"/>
        <source>The text to analyse, as you type (Tab moves on to the next control)</source>
        <translation>要分析的文本，边输入边分析（Tab 移到下一个控件）</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="136"/>
        <source>Decoder tokens</source>
        <translation>解码器词元</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="146"/>
        <source>Not current — shows the previous text (the last analysis failed)</source>
        <translation>不是最新的——显示的是之前的文本（上一次分析失败了）</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="180"/>
        <source>no model</source>
        <translation>没有模型</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="289"/>
        <source>The text left here last time ({0:,} characters) was too long to keep in the settings (at most {1:,}): save a session to keep a long text.</source>
        <translation>上次留在这里的文本（{0:,} 个字符）太长，没有保存在设置中（最多 {1:,} 个）：要保留长文本，请保存会话。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="311"/>
        <location filename="../../app/main_window.py" line="314"/>
        <source>Loading {0}…</source>
        <translation>正在加载 {0}…</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="336"/>
        <source>a source text</source>
        <translation>源文本</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="336"/>
        <source>some text</source>
        <translation>一些文字</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="337"/>
        <source>Type {0} to see its attention.</source>
        <translation>输入{0}，查看它的注意力。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="349"/>
        <source>Re-running the text and its {0} generated tokens with the new masks</source>
        <translation>正在用新的遮盖重新运行文本及其 {0} 个已生成的词元</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="443"/>
        <source>Regenerating from token #{0}</source>
        <translation>正在从词元 #{0} 起重新生成</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="458"/>
        <source>Head ablation</source>
        <translation>头消融</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="487"/>
        <source>Pick a model in the list, or open a model folder.</source>
        <translation>请在列表中选择一个模型，或打开一个模型文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="497"/>
        <source>attnlab — {0}</source>
        <translation>attnlab — {0}</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="502"/>
        <source>Loaded {0}</source>
        <translation>已加载 {0}</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="522"/>
        <source> Still using {0}.</source>
        <translation> 仍在使用 {0}。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="524"/>
        <source>Could not load {0}: {1}{2}</source>
        <translation>无法加载 {0}：{1}{2}</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="526"/>
        <source>Could not load {0}</source>
        <translation>无法加载 {0}</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="539"/>
        <source>analysis {0:.0f} ms</source>
        <translation>分析 {0:.0f} 毫秒</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="545"/>
        <source>last step {0:.0f} ms</source>
        <translation>上一步 {0:.0f} 毫秒</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="557"/>
        <source>end of text</source>
        <translation>文本结束</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="558"/>
        <source>maximum length</source>
        <translation>最大长度</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="559"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="560"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="561"/>
        <source>Generated {0} tokens ({1})</source>
        <translation>已生成 {0} 个词元（{1}）</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="584"/>
        <source>Decoder prefix (optional)</source>
        <translation>解码器前缀（可选）</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="596"/>
        <source>Knock-out is not available: {0}</source>
        <translation>无法屏蔽：{0}</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="728"/>
        <source>Not pasted: the text would be {0:,} characters, and attnlab takes at most {1:,}. Paste a part of it.</source>
        <translation>没有粘贴：粘贴后文本会有 {0:,} 个字符，而 attnlab 最多接受 {1:,} 个。请粘贴其中一部分。</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="754"/>
        <source>{0} is not available for this model: {1}</source>
        <translation>这个模型不支持{0}：{1}</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="758"/>
        <source>The formula inspector</source>
        <translation>公式检查器</translation>
    </message>
    <message>
        <location filename="../../app/main_window.py" line="761"/>
        <source>No formula for this model: {0}.</source>
        <translation>这个模型没有公式：{0}。</translation>
    </message>
</context>
<context>
    <name>MaskPredictions</name>
    <message>
        <location filename="../../app/widgets/mask_predictions.py" line="18"/>
        <source>slot / filler</source>
        <translation>位置 / 填充词</translation>
    </message>
    <message>
        <location filename="../../app/widgets/mask_predictions.py" line="18"/>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <location filename="../../app/widgets/mask_predictions.py" line="25"/>
        <source>Click a token to mask it and see what fills the slot</source>
        <translation>点击一个词元将其遮盖，看看模型用什么填补这个位置</translation>
    </message>
    <message>
        <location filename="../../app/widgets/mask_predictions.py" line="38"/>
        <source>typed</source>
        <translation>输入的</translation>
    </message>
    <message>
        <location filename="../../app/widgets/mask_predictions.py" line="38"/>
        <source>was {0}</source>
        <translation>原为 {0}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/mask_predictions.py" line="39"/>
        <source>#{0} [MASK] ({1})</source>
        <translation>#{0} [MASK]（{1}）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/mask_predictions.py" line="45"/>
        <source>sentence B follows A</source>
        <translation>句子 B 接在 A 后面</translation>
    </message>
    <message>
        <location filename="../../app/widgets/mask_predictions.py" line="50"/>
        <source>{0:.0%} of the words are unknown or split into pieces the model rarely saw: treat this probability with care</source>
        <translation>{0:.0%} 的词是未知词，或被拆成了模型很少见过的词片：请谨慎看待这个概率</translation>
    </message>
</context>
<context>
    <name>MessageBanner</name>
    <message>
        <location filename="../../app/widgets/message_banner.py" line="26"/>
        <source>Dismiss this message</source>
        <translation>关闭这条消息</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="41"/>
        <source>Models available offline</source>
        <translation>可离线使用的模型</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="44"/>
        <source>hub id or path, Enter to load</source>
        <translation>hub id 或路径，按 Enter 加载</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="47"/>
        <source>A Hugging Face hub id (online only) or the path of a model folder or .gguf file; Enter loads it</source>
        <translation>Hugging Face hub id（仅联网时）或模型文件夹、.gguf 文件的路径；按 Enter 加载</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="51"/>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="53"/>
        <source>Open a model folder or a GGUF file from disk</source>
        <translation>从磁盘打开模型文件夹或 GGUF 文件</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="55"/>
        <source>Open folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="56"/>
        <source>Open GGUF file…</source>
        <translation>打开 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="60"/>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="62"/>
        <source>How the next model loads: device, precision, spreading over devices</source>
        <translation>下一个模型的加载方式：设备、精度、跨设备分布</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="78"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="94"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="95"/>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="97"/>
        <source>Spread a model too big for one device over the GPUs and RAM</source>
        <translation>将单个设备放不下的模型分布到多块 GPU 和内存上</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="105"/>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="122"/>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="122"/>
        <source>%1 KB</source>
        <translation>%1 KB</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="122"/>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="122"/>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="132"/>
        <source>encoder</source>
        <translation>编码器</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="133"/>
        <source>decoder</source>
        <translation>解码器</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="134"/>
        <source>encoder-decoder</source>
        <translation>编码器-解码器</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="135"/>
        <source>unknown kind</source>
        <translation>类型未知</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="138"/>
        <source>bundled</source>
        <translation>内置</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="139"/>
        <source>pip package</source>
        <translation>pip 包</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="140"/>
        <source>Hugging Face cache</source>
        <translation>Hugging Face 缓存</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="141"/>
        <source>opened recently</source>
        <translation>最近打开</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="142"/>
        <source>converted</source>
        <translation>已转换</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="144"/>
        <source>%1, %2, %3</source>
        <translation>%1，%2，%3</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="213"/>
        <source>Open a model folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="219"/>
        <source>Open a GGUF model</source>
        <translation>打开 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../../app/widgets/model_picker.py" line="219"/>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
</context>
<context>
    <name>NoHeadNote</name>
    <message>
        <location filename="../../app/widgets/no_head_note.py" line="14"/>
        <source>This model has no masked-language-model head (a bare encoder): it cannot guess a [MASK]ed word</source>
        <translation>此模型没有掩码语言模型头（裸编码器）：它无法猜出被 [MASK] 的词</translation>
    </message>
    <message>
        <location filename="../../app/widgets/no_head_note.py" line="31"/>
        <source>No predictions: this model is a bare encoder, without a language-model head. It reads the text and its attention is shown on the right, but it predicts no words, so there are no candidates and a token cannot be replaced with [MASK]. Knock-outs still work: right-click a token.</source>
        <translation>没有预测：此模型是裸编码器，没有语言模型头。它读取文本，注意力显示在右侧，但它不预测任何词，因此没有候选词，也不能把词元替换为 [MASK]。敲除仍然可用：右键单击一个词元。</translation>
    </message>
</context>
<context>
    <name>PredictionDock</name>
    <message>
        <location filename="../../app/prediction_dock.py" line="37"/>
        <source>Explain the prediction</source>
        <translation>解释预测</translation>
    </message>
    <message>
        <location filename="../../app/prediction_dock.py" line="42"/>
        <source>Compare to a reference</source>
        <translation>与参照比较</translation>
    </message>
    <message>
        <location filename="../../app/prediction_dock.py" line="61"/>
        <source>&amp;Difference to the reference</source>
        <translation>与参照的差异(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../app/prediction_dock.py" line="67"/>
        <source>While a run is pinned: the heatmap and the head grid show the attention now minus the reference&apos;s (blue: less now, red: more now, white: unchanged)</source>
        <translation>固定了一次运行时：热力图和头网格显示现在的注意力减去参照的注意力（蓝：现在更少，红：现在更多，白：不变）</translation>
    </message>
    <message>
        <location filename="../../app/prediction_dock.py" line="82"/>
        <source>A long document keeps only an overview of its attention: nothing exact to compare with the reference; compare exports with `attnlab compare` instead.</source>
        <translation>长文档只保留注意力的概览：没有可与参考运行比较的精确数据；请改用 `attnlab compare` 比较导出结果。</translation>
    </message>
    <message>
        <location filename="../../app/prediction_dock.py" line="112"/>
        <source>A long document keeps only an overview of its attention: nothing exact to pin; compare exports with `attnlab compare` instead.</source>
        <translation>长文档只保留注意力的概览：没有可固定的精确数据；请改用 `attnlab compare` 比较导出结果。</translation>
    </message>
    <message>
        <location filename="../../app/prediction_dock.py" line="121"/>
        <source>Longer than {0} tokens: too large to keep in memory; compare exports with `attnlab compare` instead.</source>
        <translation>超过 {0} 个词元：太大，无法保留在内存中；请改用 `attnlab compare` 比较导出文件。</translation>
    </message>
    <message>
        <location filename="../../app/prediction_dock.py" line="162"/>
        <source> Out of date: Compute again for the current input.</source>
        <translation> 已过时：请为当前输入重新计算。</translation>
    </message>
</context>
<context>
    <name>PredictionView</name>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="69"/>
        <source>Show more tabs</source>
        <translation>显示更多标签页</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="71"/>
        <location filename="../../app/widgets/prediction_view.py" line="148"/>
        <source>The logit lens of the current input appears here.</source>
        <translation>当前输入的 logit 透镜会显示在这里。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="76"/>
        <source>Each layer&apos;s residual stream read through the model&apos;s final norm and output head: its most likely token, darker = more probable; hover for the top-k</source>
        <translation>每一层的残差流经过模型最终的归一化和输出头读出：它最可能的词元，颜色越深概率越大；悬停可看 top-k</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="83"/>
        <source>Computing the logit lens of the current input…</source>
        <translation>正在计算当前输入的 logit 透镜…</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="91"/>
        <source>Logit lens</source>
        <translation>Logit 透镜</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="93"/>
        <source>Which heads the predicted token depends on: press Compute.</source>
        <translation>预测的词元依赖哪些头：请按“计算”。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="96"/>
        <source>Compute</source>
        <translation>计算</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="99"/>
        <source>A fast gradient estimate first, then the exact map (one ablation per head)</source>
        <translation>先给出快速的梯度估计，再给出精确结果（每个头消融一次）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="101"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="103"/>
        <source>Stop computing the exact map</source>
        <translation>停止计算精确结果</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="112"/>
        <source>Δ log p of the predicted token when the head is ablated (red: the head helps it); click a head to ablate it, click again to restore it</source>
        <translation>消融这个头时预测词元的 Δ log p（红色：这个头有助于它）；点击一个头将其消融，再点击一次恢复</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="131"/>
        <source>Head importance</source>
        <translation>头的重要性</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="158"/>
        <source>embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="158"/>
        <location filename="../../app/widgets/prediction_view.py" line="194"/>
        <source>layer {0}</source>
        <translation>第 {0} 层</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="159"/>
        <source> (output)</source>
        <translation>（输出）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="169"/>
        <source>{0}, position {1}:
</source>
        <translation>{0}，位置 {1}：
</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="173"/>
        <source>each [MASK] slot&apos;s filler</source>
        <translation>每个 [MASK] 位置的填充词</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="173"/>
        <source>the next token</source>
        <translation>下一个词元</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="174"/>
        <source> (the last {0} tokens)</source>
        <translation>（最后 {0} 个词元）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="177"/>
        <source>Top-1 token at each layer (rows) and position (columns{0}), predicting {1}; the last row is the model&apos;s output.</source>
        <translation>每一层（行）和每个位置（列{0}）上排名第一的词元，预测的是{1}；最后一行是模型的输出。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="193"/>
        <source>head {0}</source>
        <translation>头 {0}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="203"/>
        <source> (ablated now: click to restore)</source>
        <translation>（已消融：点击恢复）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="203"/>
        <source> (click to ablate)</source>
        <translation>（点击消融）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="204"/>
        <source>layer {0} head {1}: Δ log p = {2:+.4f}</source>
        <translation>第 {0} 层第 {1} 个头：Δ log p = {2:+.4f}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="207"/>
        <source>exact: one ablation per head</source>
        <translation>精确：每个头消融一次</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="209"/>
        <source>gradient estimate; the exact map follows</source>
        <translation>梯度估计；精确结果随后给出</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="212"/>
        <source>How much p({0!s}) at position {1} (log p = {2:.3f}) depends on each head — {3}.</source>
        <translation>位置 {1} 上的 p({0!s})（log p = {2:.3f}）在多大程度上依赖每个头——{3}。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/prediction_view.py" line="225"/>
        <source>{0} positive: the head helps the prediction (ablating it lowers its log p by that much) · {1} negative: the head works against it (ablating it raises its log p)</source>
        <translation>{0} 正值：该头有助于这个预测（消融它会使 log p 降低这么多）· {1} 负值：该头妨碍这个预测（消融它会使 log p 升高）</translation>
    </message>
</context>
<context>
    <name>ReferenceView</name>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="74"/>
        <location filename="../../app/widgets/reference_view.py" line="125"/>
        <source>Pin a run, then change the text, masks or ablations to see how each head moved.</source>
        <translation>固定一次运行，然后修改文本、遮盖或消融，看看每个头如何变化。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="77"/>
        <location filename="../../app/widgets/reference_view.py" line="83"/>
        <source>Pin as reference</source>
        <translation>固定为参照</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="80"/>
        <source>Keep the current run&apos;s attention to compare the next runs with</source>
        <translation>保留当前运行的注意力，用来与之后的运行比较</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="83"/>
        <source>Pinned: click to unpin</source>
        <translation>已固定：点击取消</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="88"/>
        <source>stack</source>
        <translation>堆栈</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="88"/>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="88"/>
        <source>head</source>
        <translation>头</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="88"/>
        <source>JS divergence to the reference</source>
        <translation>与参照的 JS 散度</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="92"/>
        <source>Jensen–Shannon divergence (bits, 0: same rows, 1: disjoint) between this head&apos;s attention now and in the reference, the mean over query rows; click a column to sort</source>
        <translation>这个头现在的注意力与参照中注意力之间的 Jensen–Shannon 散度（比特，0：各行相同，1：完全不重叠），对查询行取平均；点击列可排序</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="123"/>
        <source>Pinned: change the text, masks or ablations to compare.</source>
        <translation>已固定：修改文本、遮盖或消融来比较。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="133"/>
        <source>Longer than {0} tokens: compare exports with `attnlab compare` instead.</source>
        <translation>超过 {0} 个词元：请改用 `attnlab compare` 比较导出文件。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="138"/>
        <source>Nothing to compare: the reference comes from another model.</source>
        <translation>无法比较：参照来自另一个模型。</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="140"/>
        <source>Same tokens: compared position by position.</source>
        <translation>词元相同：逐个位置比较。</translation>
    </message>
</context>
<context>
    <name>RestoreBanner</name>
    <message>
        <location filename="../../app/widgets/restore_banner.py" line="24"/>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../../app/widgets/restore_banner.py" line="26"/>
        <source>Open the unsaved session again: its model, text, masks and generated tokens</source>
        <translation>重新打开未保存的会话：它的模型、文本、遮盖和已生成的词元</translation>
    </message>
    <message>
        <location filename="../../app/widgets/restore_banner.py" line="27"/>
        <source>Discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <location filename="../../app/widgets/restore_banner.py" line="29"/>
        <source>Delete the unsaved session for good</source>
        <translation>永久删除未保存的会话</translation>
    </message>
    <message>
        <location filename="../../app/widgets/restore_banner.py" line="30"/>
        <source>Keep the File</source>
        <translation>保留文件</translation>
    </message>
    <message>
        <location filename="../../app/widgets/restore_banner.py" line="32"/>
        <source>Leave the unreadable file where it is (it is offered again next time)</source>
        <translation>把无法读取的文件留在原处（下次还会提示）</translation>
    </message>
</context>
<context>
    <name>RowBars</name>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="93"/>
        <source>hidden (masked)</source>
        <translation>隐藏（被遮盖）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="94"/>
        <source>key #{0}: logit {1}, prob {2}</source>
        <translation>键 #{0}：logit {1}，概率 {2}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="81"/>
        <source>logits</source>
        <translation>logit</translation>
    </message>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="81"/>
        <source>probs</source>
        <translation>概率</translation>
    </message>
</context>
<context>
    <name>SamplingPanel</name>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="23"/>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="25"/>
        <source>greedy (always the most likely token)</source>
        <translation>贪心（总是取最可能的词元）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="28"/>
        <source>Always take the most likely next token; untick to sample with the settings below</source>
        <translation>总是取最可能的下一个词元；取消勾选则按下面的设置采样</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="31"/>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="33"/>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="39"/>
        <source>Divides the logits before sampling: below 1 sharpens, above 1 flattens the choice</source>
        <translation>采样前用它除 logits：小于 1 使选择更集中，大于 1 使选择更平均</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="41"/>
        <source>Sample only among the k most likely tokens (all: no limit)</source>
        <translation>只在最可能的 k 个词元中采样（全部：不限制）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="42"/>
        <source>Sample only among the most likely tokens whose probabilities add up to p</source>
        <translation>只在概率累计达到 p 的最可能词元中采样</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="45"/>
        <source>The random seed: the same seed gives the same generation (random: a new one each time)</source>
        <translation>随机种子：相同的种子给出相同的生成（随机：每次都用新的种子）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="47"/>
        <source>How many candidates for the next token the table lists</source>
        <translation>表格列出多少个下一个词元的候选</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="52"/>
        <source>temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="55"/>
        <source>seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="56"/>
        <source>candidates shown</source>
        <translation>显示的候选数</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="103"/>
        <source>{0} {1} (the window takes {2} to {3})</source>
        <translation>{0} {1}（窗口接受 {2} 到 {3}）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/sampling_panel.py" line="112"/>
        <source>{0} {1:g} (the window takes {2:g} to {3:g})</source>
        <translation>{0} {1:g}（窗口接受 {2:g} 到 {3:g}）</translation>
    </message>
</context>
<context>
    <name>SecondCopy</name>
    <message>
        <location filename="../../app/second_copy.py" line="53"/>
        <source>pid {0}</source>
        <translation>进程号 {0}</translation>
    </message>
    <message>
        <location filename="../../app/second_copy.py" line="53"/>
        <source>another process</source>
        <translation>另一个进程</translation>
    </message>
    <message>
        <location filename="../../app/second_copy.py" line="55"/>
        <source>Another attnlab window is open ({0}). This one starts with its settings but not its text, and keeps nothing when it closes — no text, settings or layout of its own, so the first window&apos;s are never overwritten. Save a session (File ▸ Save) to keep what you do here.</source>
        <translation>另一个 attnlab 窗口已经打开（{0}）。这个窗口沿用它的设置，但不沿用它的文本；关闭时不保留任何东西——既不保存自己的文本，也不保存设置或布局，因此绝不会覆盖第一个窗口的内容。要保留在这里做的工作，请保存会话（文件 ▸ 保存）。</translation>
    </message>
    <message>
        <location filename="../../app/second_copy.py" line="60"/>
        <source>second window: not remembered</source>
        <translation>第二个窗口：关闭后不保留</translation>
    </message>
    <message>
        <location filename="../../app/second_copy.py" line="80"/>
        <source>Close this second window?</source>
        <translation>关闭这个第二窗口？</translation>
    </message>
    <message>
        <location filename="../../app/second_copy.py" line="82"/>
        <source>This second attnlab window does not remember its text when it closes (the first window keeps the settings). Save its work as a session first?</source>
        <translation>这个第二个 attnlab 窗口关闭时不会记住它的文本（设置归第一个窗口所有）。要先把它的工作保存为会话吗？</translation>
    </message>
</context>
<context>
    <name>Sessions</name>
    <message>
        <location filename="../../app/session_actions.py" line="52"/>
        <source>attnlab sessions (*{0});;All files (*)</source>
        <translation>attnlab 会话 (*{0});;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="113"/>
        <source>&amp;New Session</source>
        <translation>新建会话(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="115"/>
        <source>Start over: empty text, no masks, no tokens</source>
        <translation>重新开始：空文本，无遮盖，无词元</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="120"/>
        <source>&amp;Open Session…</source>
        <translation>打开会话(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="122"/>
        <source>Open a saved .attnlab session</source>
        <translation>打开一个已保存的 .attnlab 会话</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="126"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="133"/>
        <source>&amp;Save Session</source>
        <translation>保存会话(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="135"/>
        <source>Save the model, text, masks, sampling and generated tokens</source>
        <translation>保存模型、文本、遮盖、采样设置和已生成的词元</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="140"/>
        <source>Save Session &amp;As…</source>
        <translation>会话另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="142"/>
        <source>Save the session to a new file</source>
        <translation>把会话保存到一个新文件</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="156"/>
        <source>No recent sessions</source>
        <translation>没有最近的会话</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="215"/>
        <source>Open a session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="232"/>
        <source>{0} {1}</source>
        <translation>{0} {1}</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="244"/>
        <source>asks for sampling settings the window cannot hold: {0}.</source>
        <translation>要求的采样设置超出了窗口能容纳的范围：{0}。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="247"/>
        <source>holds a text of {0:,} characters; attnlab takes at most {1:,}.</source>
        <translation>包含 {0:,} 个字符的文本；attnlab 最多接受 {1:,} 个。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="249"/>
        <source>has {0:,} branches; the window keeps at most {1:,}.</source>
        <translation>有 {0:,} 个分支；窗口最多保留 {1:,} 个。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="256"/>
        <source>The session was not opened: {0}</source>
        <translation>没有打开会话：{0}</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="303"/>
        <source>This session was saved with a {0} model; {1} is a {2}.</source>
        <translation>这个会话保存时用的是{0}模型；{1} 是{2}。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="310"/>
        <source>The weights of {0} changed since this session was saved: its text, masks and tokens are kept, but the attention and candidates are the new weights&apos;, not the saved run&apos;s.</source>
        <translation>自这个会话保存以来，{0} 的权重已经改变：它的文本、遮盖和词元保留不变，但注意力和候选来自新的权重，而不是保存时的运行。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="332"/>
        <source>Nothing to save yet: load a model first.</source>
        <translation>还没有可保存的内容：请先加载一个模型。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="344"/>
        <source>Could not save the session: {0}</source>
        <translation>无法保存会话：{0}</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="349"/>
        <source>Saved {0}</source>
        <translation>已保存 {0}</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="354"/>
        <source>Save the session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="421"/>
        <source> It is shown with {0}.</source>
        <translation> 现在用 {0} 显示。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="423"/>
        <source>The unsaved session itself is kept whole and offered again next time.</source>
        <translation>未保存的会话本身完整保留，下次启动时会再次提示恢复。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="427"/>
        <source>This session&apos;s model {0} could not be loaded: {1}. Its text is kept.{2} Pick a model to analyse it, or make the model available and open the session again.</source>
        <translation>无法加载这个会话的模型 {0}：{1}。文本已保留。{2} 请选择一个模型来分析它，或者让该模型可用后再打开这个会话。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="475"/>
        <source>Autosave failed: {0} ({1}). Your changes are not being kept automatically: save the session (Ctrl+S) somewhere with room.</source>
        <translation>自动保存失败：{0}（{1}）。你的更改没有被自动保存：请把会话保存（Ctrl+S）到有空间的地方。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="484"/>
        <source>Autosave works again</source>
        <translation>自动保存已恢复</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="490"/>
        <source>Autosave and the log are off: the data folder cannot be written ({0}). Save your work with Ctrl+S; point ATTNLAB_DATA at a writable folder to turn them back on.</source>
        <translation>自动保存和日志已关闭：无法写入数据文件夹（{0}）。请用 Ctrl+S 保存你的工作；把 ATTNLAB_DATA 指向一个可写的文件夹即可重新开启。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="507"/>
        <source>attnlab did not close properly last time, and its unsaved session cannot be read: {0}. The file is kept at {1}.</source>
        <translation>attnlab 上次没有正常关闭，而它未保存的会话无法读取：{0}。文件保留在 {1}。</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="519"/>
        <source>attnlab did not close properly last time. Restore the unsaved session on {0} (“{1}”, {2} generated tokens)?</source>
        <translation>attnlab 上次没有正常关闭。要恢复 {0} 上未保存的会话（“{1}”，{2} 个已生成的词元）吗？</translation>
    </message>
    <message>
        <location filename="../../app/session_actions.py" line="542"/>
        <source>the unsaved session {0}</source>
        <translation>未保存的会话{0}</translation>
    </message>
</context>
<context>
    <name>Titles</name>
    <message>
        <location filename="../../app/i18n.py" line="86"/>
        <source>encoder self-attention</source>
        <translation>编码器自注意力</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="87"/>
        <source>decoder self-attention</source>
        <translation>解码器自注意力</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="88"/>
        <source>cross-attention (decoder → encoder)</source>
        <translation>交叉注意力（解码器 → 编码器）</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="89"/>
        <source>linear</source>
        <translation>线性</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="90"/>
        <source>log</source>
        <translation>对数</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="91"/>
        <source>per row</source>
        <translation>按行</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="93"/>
        <source>previous token</source>
        <translation>前一个词元</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="94"/>
        <source>Mean weight on the token just before the query</source>
        <translation>放在查询前一个词元上的平均权重</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="95"/>
        <source>induction</source>
        <translation>归纳</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="96"/>
        <source>Mean weight on the tokens that followed earlier copies of the query&apos;s token, over the queries whose token appeared before (decoder only; — when no token repeats)</source>
        <translation>放在查询词元较早出现处之后那个词元上的平均权重，只统计词元此前出现过的查询（仅解码器；没有重复词元时为 —）</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="101"/>
        <source>probe induction</source>
        <translation>探针归纳</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="102"/>
        <source>Induction score on seeded random tokens repeated twice: near 1 for an induction head (press &quot;Induction probe&quot;)</source>
        <translation>在重复两次的固定种子随机词元上的归纳评分：归纳头接近 1（按“归纳探针”）</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="107"/>
        <source>sink</source>
        <translation>汇聚点</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="108"/>
        <source>Mean weight on the first token (an attention sink)</source>
        <translation>放在第一个词元上的平均权重（注意力汇聚点）</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="109"/>
        <source>self</source>
        <translation>自身</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="110"/>
        <source>Mean weight on the query&apos;s own token</source>
        <translation>放在查询自身词元上的平均权重</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="111"/>
        <source>entropy</source>
        <translation>熵</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="112"/>
        <source>How spread out a query&apos;s attention is: mean −Σ p log p, in nats</source>
        <translation>查询的注意力有多分散：平均 −Σ p log p，单位为奈特</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="113"/>
        <source>distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <location filename="../../app/i18n.py" line="114"/>
        <source>How far a head looks: mean Σ p·|query − key|, in tokens</source>
        <translation>一个头看多远：平均 Σ p·|查询 − 键|，单位为词元</translation>
    </message>
</context>
<context>
    <name>TokenChip</name>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="500"/>
        <source> · masked with [MASK]</source>
        <translation> · 已用 [MASK] 遮盖</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="501"/>
        <source> · knocked out of attention</source>
        <translation> · 已从注意力中屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="503"/>
        <source> · generated</source>
        <translation> · 生成的</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="506"/>
        <source>
p = {0:.1%} now</source>
        <translation>
现在 p = {0:.1%}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="508"/>
        <source>, {0:.1%} when generated</source>
        <translation>，生成时 {0:.1%}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="511"/>
        <source>, {0:.1%} in the reference</source>
        <translation>，参照中 {0:.1%}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="513"/>
        <source>
p = {0:.1%} in the reference</source>
        <translation>
参照中 p = {0:.1%}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="517"/>
        <source>
{0}: {1:.4f}</source>
        <translation>
{0}：{1:.4f}</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="520"/>
        <source>
click: its candidates · right-click: knock out, regenerate from here</source>
        <translation>
单击：查看它的候选 · 右键：屏蔽、从这里重新生成</translation>
    </message>
</context>
<context>
    <name>TokenFinder</name>
    <message>
        <location filename="../../app/token_find.py" line="51"/>
        <source>Nothing to search yet: run a text first</source>
        <translation>还没有可查找的内容：请先运行一段文本</translation>
    </message>
    <message>
        <location filename="../../app/token_find.py" line="57"/>
        <source>No token contains {0!r}</source>
        <translation>没有词元包含 {0!r}</translation>
    </message>
    <message>
        <location filename="../../app/token_find.py" line="61"/>
        <source>Token #{0}: {1!r}</source>
        <translation>词元 #{0}：{1!r}</translation>
    </message>
</context>
<context>
    <name>TokenStrip</name>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="178"/>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="373"/>
        <source>Show in the heatmap</source>
        <translation>在热图中显示</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="375"/>
        <source>Select this token (or the selected range it is in) and show its rows in the heatmap</source>
        <translation>选中这个词元（或它所在的选中范围），并在热图中显示它的行</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="46"/>
        <source>Replace with [MASK]</source>
        <translation>替换为 [MASK]</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="47"/>
        <source>Knock out of attention</source>
        <translation>从注意力中屏蔽</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="368"/>
        <source>Corrupt with…</source>
        <translation>用噪声破坏…</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="370"/>
        <source>Activation patching: add noise to this token&apos;s embedding in the corrupted run</source>
        <translation>激活修补：在被破坏的运行中给这个词元的嵌入加噪声</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="420"/>
        <location filename="../../app/widgets/token_strip.py" line="560"/>
        <source>loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="591"/>
        <source>These tokens come from the model&apos;s tokenizer alone: attention follows once the model is loaded</source>
        <translation>这些词元只来自模型的分词器：模型加载完成后才会显示注意力</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="352"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="358"/>
        <source>Generated tokens cannot be masked</source>
        <translation>生成的词元不能被遮盖</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="361"/>
        <source>Regenerate from here</source>
        <translation>从这里重新生成</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="364"/>
        <source>Undo back to before this token and generate one token again, under the current masks</source>
        <translation>撤销到这个词元之前，在当前遮盖下重新生成一个词元</translation>
    </message>
</context>
<context>
    <name>TrainDialog</name>
    <message>
        <location filename="../../app/train_dialog.py" line="36"/>
        <source>Train a Tiny Model</source>
        <translation>训练一个小模型</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="41"/>
        <source>Induction task: attention-only decoder, repeated random tokens</source>
        <translation>归纳任务：只有注意力的解码器，重复的随机词元</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="42"/>
        <source>GPT: next token on a text</source>
        <translation>GPT：在文本上预测下一个词元</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="43"/>
        <source>BERT: masked LM (15%: 80% [MASK], 10% random, 10% kept) + next sentence</source>
        <translation>BERT：掩码语言模型（15%：80% [MASK]，10% 随机，10% 保留）+ 下一句预测</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="44"/>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="47"/>
        <source>Layers:</source>
        <translation>层数：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="48"/>
        <source>Heads per layer:</source>
        <translation>每层头数：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="49"/>
        <source>Width:</source>
        <translation>宽度：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="50"/>
        <source>Context (tokens):</source>
        <translation>上下文（词元）：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="51"/>
        <source>Steps:</source>
        <translation>步数：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="52"/>
        <source>Batch:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="53"/>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="54"/>
        <source>Checkpoint every (steps):</source>
        <translation>每隔多少步保存检查点：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="67"/>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="73"/>
        <source>a text file, one document a line</source>
        <translation>一个文本文件，每行一篇文档</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="74"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="79"/>
        <source>Data:</source>
        <translation>数据：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="82"/>
        <source>Run folder:</source>
        <translation>运行文件夹：</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="87"/>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="107"/>
        <source>synthetic: random tokens, repeated</source>
        <translation>合成数据：重复的随机词元</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="109"/>
        <source>the bundled corpus</source>
        <translation>内置语料</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="110"/>
        <source>a text file</source>
        <translation>一个文本文件</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="115"/>
        <source>The loss sits at its plateau, then drops at about step 300 (under a minute) as a layer-0 head learns to look 15 back: a shortcut, not an induction head (lesson 7).</source>
        <translation>损失先停在平台上，然后在第 300 步左右（不到一分钟）下降，因为第 0 层的一个头学会了关注 15 个位置之前：这是一条捷径，而不是归纳头（第 7 课）。</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="118"/>
        <source>A next-token model of the bundled stories and facts (a few minutes).</source>
        <translation>在内置的故事和事实上训练的下一词元模型（几分钟）。</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="119"/>
        <source>Masked-LM and next-sentence accuracy are measured on held-out pairs (several minutes).</source>
        <translation>掩码语言模型和下一句预测的准确率在留出的句对上测量（几分钟）。</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="125"/>
        <source>A text to train on</source>
        <translation>用来训练的文本</translation>
    </message>
    <message>
        <location filename="../../app/train_dialog.py" line="125"/>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>TrainDock</name>
    <message>
        <location filename="../../app/train_dock.py" line="46"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="64"/>
        <source>New Run…</source>
        <translation>新的训练…</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="64"/>
        <source>Train a tiny model</source>
        <translation>训练一个小模型</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="67"/>
        <source>Open Run…</source>
        <translation>打开训练…</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="69"/>
        <source>Read a finished run&apos;s curves and checkpoints</source>
        <translation>读取一次已完成训练的曲线和检查点</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="73"/>
        <location filename="../../app/train_dock.py" line="279"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="73"/>
        <source>Pause or resume training</source>
        <translation>暂停或继续训练</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="77"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="79"/>
        <source>Stop training, keeping the checkpoints so far</source>
        <translation>停止训练，保留已有的检查点</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="86"/>
        <source>No training run yet: New Run… trains a tiny model in a few minutes.</source>
        <translation>还没有训练：“新的训练…”会在几分钟内训练一个小模型。</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="93"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="95"/>
        <source>training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="96"/>
        <source>held-out</source>
        <translation>留出集</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="97"/>
        <source>held-out accuracy</source>
        <translation>留出集准确率</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="100"/>
        <source>masked LM</source>
        <translation>掩码语言模型</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="101"/>
        <source>next sentence</source>
        <translation>下一句</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="102"/>
        <source>head scores on the probe</source>
        <translation>探针上的头分数</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="119"/>
        <source>Scrub through the checkpoints: every view shows the text through the one chosen</source>
        <translation>在检查点之间拖动：每个视图都显示所选检查点对文本的处理</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="123"/>
        <location filename="../../app/train_dock.py" line="293"/>
        <source>no checkpoint</source>
        <translation>没有检查点</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="125"/>
        <source>Checkpoint:</source>
        <translation>检查点：</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="143"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="161"/>
        <source>Training a {0} into {1}…</source>
        <translation>正在训练 {0}，保存到 {1}…</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="176"/>
        <source>step {0}: loss {1:.3f}, held-out {2:.3f}, masked LM {3:.1%}, next sentence {4:.1%}</source>
        <translation>第 {0} 步：损失 {1:.3f}，留出集 {2:.3f}，掩码语言模型 {3:.1%}，下一句 {4:.1%}</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="182"/>
        <source>step {0}: loss {1:.3f}, held-out {2:.3f}, best induction score {3:.2f}</source>
        <translation>第 {0} 步：损失 {1:.3f}，留出集 {2:.3f}，最高归纳分数 {3:.2f}</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="247"/>
        <source>each head&apos;s previous-token score on the probe</source>
        <translation>探针上每个头的前一词元分数</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="248"/>
        <source>each head&apos;s induction score on the probe (dashed: {0})</source>
        <translation>探针上每个头的归纳分数（虚线：{0}）</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="251"/>
        <source>GPT</source>
        <translation>GPT</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="251"/>
        <source>BERT</source>
        <translation>BERT</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="251"/>
        <source>attention-only decoder</source>
        <translation>只有注意力的解码器</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="256"/>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="257"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="258"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="259"/>
        <source>running</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="260"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="262"/>
        <source>{0} run {1}: {2} evaluations, {3} checkpoints.</source>
        <translation>{0} 训练{1}：{2} 次评估，{3} 个检查点。</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="267"/>
        <source>A head&apos;s induction score passed {0} at step {1}.</source>
        <translation>第 {1} 步时，一个头的归纳分数超过了 {0}。</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="279"/>
        <location filename="../../app/train_dock.py" line="282"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/train_dock.py" line="296"/>
        <source>step {0}</source>
        <translation>第 {0} 步</translation>
    </message>
</context>
<context>
    <name>analysis_menu</name>
    <message>
        <location filename="../../app/analysis_menu.py" line="30"/>
        <source>Attention &amp;Rollout</source>
        <translation>注意力展开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../app/analysis_menu.py" line="21"/>
        <source>Show in the large heatmap how much each token draws on each earlier one through all layers up to the picked one (attention rollout: the mean of heads plus the residual stream, multiplied layer by layer)</source>
        <translation>在大热力图中显示：经过直到所选层的所有层，每个词元从它之前的每个词元获取了多少信息（注意力展开：各头平均加上残差流，逐层相乘）</translation>
    </message>
    <message>
        <location filename="../../app/analysis_menu.py" line="42"/>
        <source>Run the &amp;Induction Probe</source>
        <translation>运行归纳探针(&amp;I)</translation>
    </message>
</context>
<context>
    <name>cause_dock</name>
    <message>
        <location filename="../../app/cause_dock.py" line="436"/>
        <source>&amp;Cause and effect</source>
        <translation>因果(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/cause_dock.py" line="439"/>
        <source>Which input tokens the prediction rests on, and where a corrupted input makes the difference</source>
        <translation>预测依赖哪些输入词元，以及被破坏的输入在哪里造成差别</translation>
    </message>
</context>
<context>
    <name>formula_panel</name>
    <message>
        <location filename="../../app/widgets/formula_panel.py" line="55"/>
        <source>, … ({0} dims)</source>
        <translation>，…（共 {0} 维）</translation>
    </message>
</context>
<context>
    <name>info_flow_dock</name>
    <message>
        <location filename="../../app/info_flow_dock.py" line="154"/>
        <source>&amp;Information flow</source>
        <translation>信息流(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../app/info_flow_dock.py" line="156"/>
        <source>Show which heads write the prediction and the route from the input to it</source>
        <translation>显示哪些头写出了预测，以及从输入到预测的路径</translation>
    </message>
</context>
<context>
    <name>keyboard_help</name>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="52"/>
        <source>Arrow keys, Home / End</source>
        <translation>方向键、Home / End</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="53"/>
        <source>token strip: move to another token (Shift: select a range of tokens)</source>
        <translation>词元条：移到另一个词元（按住 Shift：选中一段词元）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="56"/>
        <source>Space / Enter</source>
        <translation>空格 / Enter</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="57"/>
        <source>token strip: click the token (mask, knock out, or its candidates)</source>
        <translation>词元条：单击该词元（遮盖、屏蔽，或查看它的候选）</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="60"/>
        <source>Menu / Shift+F10</source>
        <translation>菜单键 / Shift+F10</translation>
    </message>
    <message>
        <location filename="../../app/widgets/token_strip.py" line="61"/>
        <source>token strip: the token&apos;s menu</source>
        <translation>词元条：该词元的菜单</translation>
    </message>
    <message>
        <location filename="../../app/attention_keys.py" line="25"/>
        <source>PageUp / PageDown</source>
        <translation>PageUp / PageDown</translation>
    </message>
    <message>
        <location filename="../../app/attention_keys.py" line="26"/>
        <source>previous / next layer (heatmap or head grid focused)</source>
        <translation>上一层 / 下一层（焦点在热力图或头网格上时）</translation>
    </message>
    <message>
        <location filename="../../app/attention_keys.py" line="29"/>
        <source>Arrow keys</source>
        <translation>方向键</translation>
    </message>
    <message>
        <location filename="../../app/attention_keys.py" line="30"/>
        <source>heatmap: move the highlighted cell; head grid: previous / next head or layer</source>
        <translation>热力图：移动高亮的格子；头网格：上一个 / 下一个头或层</translation>
    </message>
    <message>
        <location filename="../../app/attention_keys.py" line="35"/>
        <source>Home / End</source>
        <translation>Home / End</translation>
    </message>
    <message>
        <location filename="../../app/attention_keys.py" line="36"/>
        <source>heatmap: first / last key of the highlighted row</source>
        <translation>热力图：高亮行的第一个 / 最后一个键</translation>
    </message>
    <message>
        <location filename="../../app/attention_keys.py" line="39"/>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../app/attention_keys.py" line="40"/>
        <source>heatmap: explain the highlighted cell (formula inspector)</source>
        <translation>热力图：解释高亮的格子（公式检查器）</translation>
    </message>
    <message>
        <location filename="../../app/keyboard_help.py" line="23"/>
        <source>Step: one token</source>
        <translation>单步：一个词元</translation>
    </message>
    <message>
        <location filename="../../app/keyboard_help.py" line="24"/>
        <source>Run: generate N tokens</source>
        <translation>运行：生成 N 个词元</translation>
    </message>
    <message>
        <location filename="../../app/keyboard_help.py" line="25"/>
        <source>Stop a run</source>
        <translation>停止运行</translation>
    </message>
    <message>
        <location filename="../../app/keyboard_help.py" line="26"/>
        <source>Undo the last token</source>
        <translation>撤销最后一个词元</translation>
    </message>
    <message>
        <location filename="../../app/keyboard_help.py" line="40"/>
        <source>Tab / Shift+Tab</source>
        <translation>Tab / Shift+Tab</translation>
    </message>
    <message>
        <location filename="../../app/keyboard_help.py" line="41"/>
        <source>next / previous control (also out of a text box)</source>
        <translation>下一个 / 上一个控件（也可以离开文本框）</translation>
    </message>
    <message>
        <location filename="../../app/keyboard_help.py" line="55"/>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../app/keyboard_help.py" line="58"/>
        <source>List every keyboard shortcut</source>
        <translation>列出所有键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../app/keyboard_help.py" line="70"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
</context>
<context>
    <name>menus</name>
    <message>
        <location filename="../../app/menus.py" line="32"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="33"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="34"/>
        <source>&amp;Learn</source>
        <translation>学习(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="35"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="45"/>
        <source>Open &amp;Text File…</source>
        <translation>打开文本文件(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="48"/>
        <source>Load a .txt file as the text</source>
        <translation>把一个 .txt 文件载入为文本</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="53"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="56"/>
        <source>Close attnlab</source>
        <translation>关闭 attnlab</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="62"/>
        <source>&amp;About attnlab</source>
        <translation>关于 attnlab(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="65"/>
        <source>What attnlab is, and its version</source>
        <translation>attnlab 是什么，以及它的版本</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="88"/>
        <source>{0} is {1:.1f} MB; attnlab opens text files up to {2:.0f} MB — open a part of it instead</source>
        <translation>{0} 有 {1:.1f} MB；attnlab 最多打开 {2:.0f} MB 的文本文件——请改为打开其中一部分</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="97"/>
        <source>{0} is not UTF-8 text (byte {1} cannot be decoded): save it as UTF-8 and open it again</source>
        <translation>{0} 不是 UTF-8 文本（第 {1} 个字节无法解码）：请保存为 UTF-8 后再打开</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="105"/>
        <source>Open a text file</source>
        <translation>打开文本文件</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="105"/>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="117"/>
        <source>(not installed)</source>
        <translation>（未安装）</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="120"/>
        <source>About attnlab</source>
        <translation>关于 attnlab</translation>
    </message>
    <message>
        <location filename="../../app/menus.py" line="121"/>
        <source>&lt;b&gt;attnlab&lt;/b&gt; {0}&lt;p&gt;A desktop playground for looking inside transformer language models: step through generation, mask tokens, ablate heads and watch every attention head update.&lt;/p&gt;&lt;p&gt;Licensed under the Apache License 2.0.&lt;/p&gt;</source>
        <translation>&lt;b&gt;attnlab&lt;/b&gt; {0}&lt;p&gt;一个观察 Transformer 语言模型内部的桌面实验场：逐步生成、遮盖词元、消融注意力头，并观察每个注意力头的实时变化。&lt;/p&gt;&lt;p&gt;依据 Apache License 2.0 授权。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>prediction_dock</name>
    <message>
        <location filename="../../app/prediction_dock.py" line="223"/>
        <source>&amp;Explain the prediction</source>
        <translation>解释预测(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../app/prediction_dock.py" line="226"/>
        <source>Show the logit lens and which heads the prediction depends on</source>
        <translation>显示 logit 透镜，以及预测依赖哪些头</translation>
    </message>
</context>
<context>
    <name>reference_view</name>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="50"/>
        <source>{0}: the first {1} of {2} / {3} tokens</source>
        <translation>{0}：{2} / {3} 个词元中的前 {1} 个</translation>
    </message>
    <message>
        <location filename="../../app/widgets/reference_view.py" line="55"/>
        <source>Lengths differ; compared {0}.</source>
        <translation>长度不同；比较了{0}。</translation>
    </message>
</context>
<context>
    <name>token_find</name>
    <message>
        <location filename="../../app/token_find.py" line="87"/>
        <source>&amp;Find Token…</source>
        <translation>查找词元(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../app/token_find.py" line="84"/>
        <source>Find a token by its text: the heatmap jumps to its row and the token strip scrolls to it</source>
        <translation>按文字查找词元：热力图跳到它所在的行，词元条滚动到它</translation>
    </message>
    <message>
        <location filename="../../app/token_find.py" line="79"/>
        <source>Find Token</source>
        <translation>查找词元</translation>
    </message>
    <message>
        <location filename="../../app/token_find.py" line="79"/>
        <source>Token text:</source>
        <translation>词元文字：</translation>
    </message>
</context>
<context>
    <name>training</name>
    <message>
        <location filename="../../app/train_process.py" line="137"/>
        <source>the training process ended ({0}): {1}</source>
        <translation>训练进程结束了（{0}）：{1}</translation>
    </message>
    <message>
        <location filename="../../app/train_process.py" line="138"/>
        <source>crashed</source>
        <translation>崩溃</translation>
    </message>
    <message>
        <location filename="../../app/train_process.py" line="145"/>
        <source>the training process could not start</source>
        <translation>训练进程无法启动</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="69"/>
        <source>{0} is not empty: choose a new folder for the run</source>
        <translation>{0} 不是空的：请为这次训练选择一个新文件夹</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="83"/>
        <source>Open a training run</source>
        <translation>打开一次训练</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="90"/>
        <source>{0} is not a training run (it has no run.json)</source>
        <translation>{0} 不是一次训练（它没有 run.json）</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="109"/>
        <source>training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="112"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="118"/>
        <source>Training is running</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="119"/>
        <source>A tiny model is training. Stop it and close? The checkpoints written so far are kept.</source>
        <translation>一个小模型正在训练。停止并关闭吗？已写入的检查点会保留。</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="144"/>
        <source>&amp;Train a Tiny Model…</source>
        <translation>训练小模型(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="146"/>
        <source>Train a tiny GPT, BERT or induction-task model and watch its heads form</source>
        <translation>训练一个小 GPT、BERT 或归纳任务模型，看着它的头形成</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="152"/>
        <source>Open a Training &amp;Run…</source>
        <translation>打开一次训练(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../app/training.py" line="154"/>
        <source>Read a finished run&apos;s curves and scrub through its checkpoints</source>
        <translation>读取一次已完成训练的曲线，并在它的检查点之间拖动</translation>
    </message>
</context>
</TS>
