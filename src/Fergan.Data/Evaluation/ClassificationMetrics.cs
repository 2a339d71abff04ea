namespace Fergan.Data.Evaluation;

/// <summary>Precision, recall, F1 and ROC-AUC of one class (one-vs-rest), with its number of true examples.</summary>
public sealed record ClassMetrics(double Precision, double Recall, double F1, double RocAuc, int Support);

/// <summary>
/// The standard multi-class scores of a set of predictions: accuracy, balanced accuracy (mean recall), macro-F1,
/// per-class precision/recall/F1, one-vs-rest ROC-AUC and the confusion matrix (rows: truth, columns: prediction).
/// Pure arithmetic on labels and probabilities, so it is tested against hand-computed values.
/// A class that is neither in the truth nor ever predicted has nothing to score: it is left out of the macro averages
/// (scikit-learn's convention for macro-F1) and reports 0 with support 0. Counting its F1 as 0 would mark down, say, a
/// set of labelled photos without a disgusted face for a class it cannot show. A class that is predicted but absent
/// from the truth counts, with F1 0: those predictions are all wrong.
/// </summary>
public sealed record ClassificationMetrics(
    int Count,
    double Accuracy,
    double BalancedAccuracy,
    double MacroF1,
    double MacroRocAuc,
    IReadOnlyDictionary<string, ClassMetrics> PerClass,
    int[][] ConfusionMatrix)
{
    /// <param name="truth">True class of each example.</param>
    /// <param name="probabilities">Per example, one probability (or score) per class; the argmax is the prediction.</param>
    /// <param name="classNames">Names, in class-index order.</param>
    public static ClassificationMetrics Compute(IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities, IReadOnlyList<string> classNames)
    {
        if (truth.Count != probabilities.Count)
        {
            throw new ArgumentException($"{truth.Count} labels but {probabilities.Count} predictions.");
        }
        if (truth.Count == 0)
        {
            throw new FerganException("there is nothing to evaluate: the split holds no faces.");
        }
        var k = classNames.Count;
        var confusion = new int[k][];
        for (var c = 0; c < k; c++)
        {
            confusion[c] = new int[k];
        }
        var predicted = probabilities.Select(ArgMax).ToArray();
        for (var i = 0; i < truth.Count; i++)
        {
            confusion[truth[i]][predicted[i]]++;
        }
        var perClass = new Dictionary<string, ClassMetrics>();
        var scoredF1 = new List<double>();
        for (var c = 0; c < k; c++)
        {
            var tp = confusion[c][c];
            var support = confusion[c].Sum();
            var predictedAs = confusion.Sum(row => row[c]);
            if (support + predictedAs == 0)
            {
                perClass[classNames[c]] = new ClassMetrics(0, 0, 0, double.NaN, 0);
                continue;
            }
            var precision = predictedAs == 0 ? 0 : (double)tp / predictedAs;
            var recall = support == 0 ? 0 : (double)tp / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            var auc = RocAuc(truth, probabilities, c);
            perClass[classNames[c]] = new ClassMetrics(precision, recall, f1, auc, support);
            scoredF1.Add(f1);
        }
        var present = perClass.Values.Where(m => m.Support > 0).ToList();
        var correct = Enumerable.Range(0, k).Sum(c => confusion[c][c]);
        return new ClassificationMetrics(
            truth.Count,
            (double)correct / truth.Count,
            present.Average(m => m.Recall),
            scoredF1.Average(),
            present.Where(m => !double.IsNaN(m.RocAuc)).Select(m => m.RocAuc).DefaultIfEmpty(double.NaN).Average(),
            perClass,
            confusion);
    }

    public static int ArgMax(float[] scores)
    {
        var best = 0;
        for (var c = 1; c < scores.Length; c++)
        {
            if (scores[c] > scores[best])
            {
                best = c;
            }
        }
        return best;
    }

    /// <summary>
    /// One-vs-rest ROC-AUC of class <paramref name="c"/>: the probability that a random positive scores above a random
    /// negative (ties count half), by the rank-sum formula. NaN when the class has no positives or no negatives.
    /// </summary>
    public static double RocAuc(IReadOnlyList<int> truth, IReadOnlyList<float[]> probabilities, int c)
    {
        var order = Enumerable.Range(0, truth.Count).OrderBy(i => probabilities[i][c]).ToArray();
        double positives = 0, negatives = 0, rankSum = 0;
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && probabilities[order[end + 1]][c] == probabilities[order[start]][c])
            {
                end++;
            }
            var averageRank = (start + end) / 2.0 + 1; // 1-based, ties share their mean rank
            for (var r = start; r <= end; r++)
            {
                if (truth[order[r]] == c)
                {
                    positives++;
                    rankSum += averageRank;
                }
                else
                {
                    negatives++;
                }
            }
            start = end + 1;
        }
        return positives == 0 || negatives == 0 ? double.NaN : (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
